/**
 * Evaluates one prepared eval/load-file request on the host's main thread:
 * runs the code with vm.runInThisContext in the global context, inside the
 * evaluation's context (output routing, session globals), awaits it when it
 * used top-level await, prints the value, and reports through the call's
 * emitter: {value, ns} or {err} + {error: {ex, rootEx}}, then final.
 *
 * The synchronous part runs under the shared eval flag (nrepl/interrupt.ts):
 * the flag holds the call number while it runs; if the worker has claimed it
 * for termination when the part ends, we wait here for the termination, the
 * only place where it is safe.
 */
import { createRequire } from 'node:module';
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import * as vm from 'node:vm';
import { runWithRoute } from './capture';
import { installErrorGuard, installEvalGlobals, rememberScript, type EvalContext } from './context';
import type { CallEmitter } from './emitter';
import { applyQuota, describeError, isTruthy, printValue, resolvePrintOptions } from './print';
import type { HostSession } from './sessions';

/** An eval request as the worker sends it. */
export interface EvalRequest {
  call: number;
  mode: 'eval' | 'load-file';
  conn: number;
  id?: string;
  session: string;
  code: string;
  async: boolean;
  file?: string;
  line?: number;
  column?: number;
  ns?: string;
  print: Record<string, unknown>;
  /** Structured clients (prepl) report errors as data only: no `err` text. */
  quietErrors?: boolean;
}

const requires = new Map<string, NodeJS.Require>();

let valueLimit: { chars: number; heapMb: number } | undefined;

/** Caps printed values handed to the worker (agent/worker-limits.ts maxValueChars says why). */
export function limitValues(chars: number, heapMb: number): void {
  valueLimit = { chars, heapMb };
}

/** The file evaluated code pretends to be in: `file` if given, else derived from `ns` (a file or folder), else the cwd. */
function scriptPath(req: EvalRequest): { filename: string; base: string } {
  const cwd = process.cwd();
  const anchor = (p: string): string => (isAbsolute(p) ? p : resolve(cwd, p));
  let base = join(cwd, '[nrepl-eval]');
  if (req.ns && req.ns !== 'user' && /[\\/.]/.test(req.ns)) {
    const target = anchor(req.ns);
    try {
      if (existsSync(target)) base = statSync(target).isDirectory() ? join(target, '[nrepl-eval]') : target;
    } catch {
      // Not a path we can use: evaluate relative to the cwd.
    }
  }
  return { filename: req.file ? anchor(req.file) : base, base };
}

function requireFor(base: string): NodeJS.Require {
  let fn = requires.get(base);
  if (!fn) {
    fn = createRequire(base);
    requires.set(base, fn);
  }
  return fn;
}

/**
 * Cuts the agent's own frames (vm, capture, host calls) off the stack of an
 * error thrown by the evaluated code itself: the user's frames are what matter.
 */
function trimStack(error: unknown): void {
  if (!(error instanceof Error) || typeof error.stack !== 'string') return;
  const cut = error.stack.search(/\n\s+at (?:Script\.runInThisContext|Object\.runInThisContext|new Script|node:vm)/);
  if (cut < 0) return;
  try {
    error.stack = error.stack.slice(0, cut);
  } catch {
    // A frozen error keeps its stack.
  }
}

/** Leaves the synchronous part; if the worker claimed it for termination, waits for the termination here. */
function leaveSynchronousPart(flag: Int32Array, call: number): void {
  if (Atomics.compareExchange(flag, 0, call, 0) === call) return;
  // The worker stored -call: Runtime.terminateExecution is on its way and will end this callback.
  while (Atomics.load(flag, 0) === -call) {
    // spin: the termination lands here, inside the message callback, where it is safe
  }
}

/** Runs one request. Never throws; everything goes through `emitter`. */
export function evaluate(req: EvalRequest, session: HostSession, emitter: CallEmitter, flag: Int32Array, isDead: () => boolean): void {
  installEvalGlobals();
  installErrorGuard();
  const { filename, base } = scriptPath(req);
  const context: EvalContext = {
    out: (text) => {
      if (!isDead()) emitter.output('out', text);
    },
    err: (text) => {
      if (!isDead()) emitter.output('err', text);
    },
    active: true,
    session,
    emitter,
    require: requireFor(base),
  };
  rememberScript(filename, context);
  const print = resolvePrintOptions(req.print);
  const ns = req.mode === 'eval' ? req.ns ?? 'user' : undefined;
  const started = performance.now();

  const succeed = (value: unknown): void => {
    session.remember(value);
    const printed = printValue(value, print);
    const capped = valueLimit !== undefined && printed.text.length > valueLimit.chars && !(print.quota !== undefined && print.quota <= valueLimit.chars);
    const quota = applyQuota(printed.text, capped ? valueLimit!.chars : print.quota);
    if (capped) {
      emitter.output(
        'err',
        `nrepl-ts: the value was cut to ${valueLimit!.chars} of ${printed.text.length} characters: a longer one could exhaust the agent worker's heap of ${valueLimit!.heapMb} MB (raise NREPL_WORKER_HEAP_MB, or send nrepl.middleware.print/quota)\n`,
      );
    }
    const event: Record<string, unknown> = { value: quota.text, ns, ms: Math.round(performance.now() - started) };
    if (quota.truncated) event.truncated = true;
    if (printed.error) event.printError = printed.error;
    else if (print.problems.length > 0) event.printError = print.problems.join('; ');
    emitter.finish(event);
  };
  const fail = (error: unknown): void => {
    session.lastError = error;
    const described = describeError(error);
    if (!req.quietErrors) emitter.output('err', described.text);
    const report: Record<string, unknown> = {
      ex: described.ex,
      rootEx: described.rootEx,
      // Structured form for clients that turn exceptions into data (prepl).
      message: error instanceof Error ? String(error.message) : described.causes.length === 0 ? described.text.replace(/^Uncaught |\n$/g, '') : '',
      stack: error instanceof Error && typeof error.stack === 'string' ? error.stack : undefined,
      causes: described.causes,
    };
    if (isTruthy(req.print['nrepl.middleware.caught/print?'])) report.throwable = described.text;
    emitter.finish({ error: report });
  };

  let result: unknown;
  Atomics.store(flag, 0, req.call);
  if (Atomics.load(flag, 1) === req.call) {
    // Interrupted before it started: the worker has answered it already. Never run it.
    leaveSynchronousPart(flag, req.call);
    return;
  }
  try {
    result = runWithRoute(context, () =>
      vm.runInThisContext(req.code, {
        filename,
        lineOffset: req.line ? req.line - 1 : 0,
        columnOffset: req.column ? req.column - 1 : 0,
        importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
        // No "file:line + caret" decoration in the stack: the client shows its own.
        displayErrors: false,
      }),
    );
  } catch (error) {
    leaveSynchronousPart(flag, req.call);
    trimStack(error);
    fail(error);
    return;
  }
  leaveSynchronousPart(flag, req.call);
  if (req.async) {
    (result as Promise<unknown>).then(succeed, fail);
  } else {
    succeed(result);
  }
}
