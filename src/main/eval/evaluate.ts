/**
 * Evaluates one prepared eval/load-file request on the host's main thread:
 * runs the code with vm in the global context, inside the evaluation's
 * context (output routing), with the REPL conveniences in scope (scope.ts),
 * awaits it when it used top-level await, prints the value, and reports
 * through the call's emitter: {value, ns} or {err} + {error: {ex, rootEx}},
 * then final.
 *
 * Output of the evaluated code — also later, from timers and callbacks it
 * started — goes to the client while its connection is open; once the
 * connection is gone it goes to the host's own stdout/stderr (capture.ts
 * reads `active`), so no byte is lost.
 *
 * The synchronous part runs under the shared eval flag (nrepl/interrupt.ts):
 * the flag holds the call number while it runs; if the worker has claimed it
 * for termination when the part ends, we wait here for the termination, the
 * only place where it is safe.
 */
import type { EvalPayload } from '../../seam/calls';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as vm from 'node:vm';
import { runWithRoute } from './capture';
import { guardEsmTypeScript } from './esm-require-guard';
import { loadAsModule, moduleKind, type ModuleLoad } from './reload';
import { namespaceFor, usesNamespace, type Namespace } from './namespaces';
import { spendLoaderWarning } from './loader-warning';
import { installErrorGuard, installEvalGlobals, rememberScript, type EvalContext } from './context';
import type { CallEmitter } from './emitter';
import { applyQuota, describeError, isTruthy, printValue, resolvePrintOptions, type PrintResult, type PrintSettings } from '../../shared/print/print';
import { piecesApply, printPieceOptions, stringPieces } from '../../shared/print/string-pieces';
import { PIECE_CHARS, PIECES_AHEAD, STREAM_MIN_CHARS, type ValueStreams } from './value-streams';
import type { EvalSession } from './sessions';
import { isCancelled, RUNNING } from '../../seam/eval-slots';
import { scriptPath } from '../../shared/script-path';
import { NS_BINDING, planScope, SCOPE_KEY, scopeObjects, type ScopeObjects, type ScopePlan } from './scope';

/** An eval request as the worker sends it. */
/** An eval request as the worker sends it (seam/calls.ts EvalPayload), with its call number. */
export type EvalRequest = EvalPayload & { call: number };

const requires = new Map<string, NodeJS.Require>();

let valueLimit: { chars: number; heapMb: number } | undefined;

/** Caps printed values handed to the worker (main/worker-limits.ts maxValueChars says why). */
export function limitValues(chars: number, heapMb: number): void {
  valueLimit = { chars, heapMb };
}

let valueStreams: ValueStreams | undefined;

/** Where long printed values go when the caller takes them in pieces (payload `pieces`). */
export function streamValuesThrough(streams: ValueStreams): void {
  valueStreams = streams;
}

/**
 * The pieces of a long string value printed without a second whole copy of
 * it (string-pieces.ts), where the printer allows; undefined otherwise.
 */
function stringSource(value: unknown, print: PrintSettings): (() => Iterable<string>) | undefined {
  if (typeof value !== 'string' || value.length < STREAM_MIN_CHARS) return undefined;
  if (print.printer === 'string') return () => [value];
  if (print.printer !== 'inspect' || !piecesApply(value, print.options)) return undefined;
  // Resolved once: both passes (the byte length, then the bytes) must cut the value alike.
  const options = printPieceOptions(print.options);
  return () => stringPieces(value, options, PIECE_CHARS);
}

function requireFor(base: string): NodeJS.Require {
  let fn = requires.get(base);
  if (!fn) {
    fn = guardEsmTypeScript(createRequire(base));
    requires.set(base, fn);
  }
  return fn;
}

/** The module evaluated code sees as `module` (`exports` is its exports), one per pretend file, kept like node -i's. */
interface PretendModule {
  id: string;
  filename: string;
  path: string;
  exports: unknown;
  paths: string[];
  loaded: boolean;
  children: unknown[];
  require: NodeJS.Require;
}
const modules = new Map<string, PretendModule>();

function moduleFor(base: string): PretendModule {
  let mod = modules.get(base);
  if (!mod) {
    const require = requireFor(base);
    mod = { id: '<repl>', filename: base, path: dirname(base), exports: {}, paths: require.resolve.paths('x') ?? [], loaded: false, children: [], require };
    modules.set(base, mod);
  }
  return mod;
}

const OriginalSymbol = Symbol;
const symbolFor = Symbol.for;

/** The scope plan for this eval, or undefined when it needs none or cannot have one. */
function planFor(req: EvalRequest, ns: Namespace | undefined): ScopePlan | undefined {
  // The wrapper finds its scope through `Symbol.for`; an app that replaced Symbol gets no conveniences.
  if (globalThis.Symbol !== OriginalSymbol || Symbol.for !== symbolFor || !Object.isExtensible(globalThis)) return undefined;
  const declared = Array.isArray(req.declared) ? req.declared : [];
  if (!ns) return planScope(req.code, declared, (name) => name in globalThis);
  const withNs = usesNamespace(ns, req.code, req.namespaced?.references, declared);
  // Code that neither declares (writes through NS_BINDING) nor reads a namespace name runs as before.
  const namespace = withNs || req.code.includes(NS_BINDING) ? { withNs } : undefined;
  return planScope(req.code, declared, (name) => name in globalThis || name in ns, namespace);
}

const vmOptions = (req: EvalRequest, filename: string, shift: number): vm.ScriptOptions => ({
  filename,
  lineOffset: req.line ? req.line - 1 : 0,
  // The prefix sits on the user's first line: moving the offset back keeps the user's columns.
  columnOffset: (req.column ? req.column - 1 : 0) - shift,
  importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
});

/**
 * Compiles the code with its scope wrapper; if that fails, compiles it as it
 * is, so a syntax error is reported exactly as without the wrapper, and code
 * the wrapper would break still runs (without conveniences).
 */
function compile(req: EvalRequest, filename: string, plan: ScopePlan | undefined): { script: vm.Script; plan?: ScopePlan } {
  if (plan) {
    try {
      return { script: new vm.Script(plan.prefix + req.code + plan.suffix, vmOptions(req, filename, plan.prefix.length)), plan };
    } catch (err) {
      // Namespaced code only means something inside its scope: its own error is the answer.
      if (plan.namespace) throw err;
      // Judged below on the user's code alone.
    }
  }
  if (req.namespaced && req.code.includes(NS_BINDING)) {
    throw new Error(
      'nrepl-ts: cannot evaluate: the app replaced Symbol or Symbol.for, or made the global object non-extensible, ' +
        "and the eval's namespace is reached through them. Restore them, or start the code with \"use strict\"; to declare globals instead.",
    );
  }
  return { script: new vm.Script(req.code, vmOptions(req, filename, 0)) };
}

/** Runs the script; the scope is reachable from the wrapper during the synchronous part only. */
function run(script: vm.Script, scope: ScopeObjects | undefined): unknown {
  // No "file:line + caret" decoration in the stack: the client shows its own.
  if (!scope) return script.runInThisContext({ displayErrors: false });
  Object.defineProperty(globalThis, SCOPE_KEY, { value: scope, configurable: true, writable: true, enumerable: false });
  try {
    return script.runInThisContext({ displayErrors: false });
  } finally {
    delete (globalThis as Record<symbol, unknown>)[SCOPE_KEY];
  }
}

/**
 * V8 gives a block that ends in a function declaration the function as its
 * completion value (the sloppy-mode copy to the global), where a script gives
 * undefined: `function f() { return _ }` must still print undefined.
 */
function blockQuirk(req: EvalRequest, value: unknown): boolean {
  return (
    typeof value === 'function' &&
    Array.isArray(req.declared) &&
    req.declared.includes(value.name) &&
    (globalThis as Record<string, unknown>)[value.name] === value &&
    /\}\s*;?\s*$/.test(req.code)
  );
}

/**
 * Cuts the agent's own frames (vm, capture, main-thread calls) off the stack of an
 * error thrown by the evaluated code itself: the user's frames are what matter.
 */
function trimStack(error: unknown, loader = false): void {
  if (!(error instanceof Error) || typeof error.stack !== 'string') return;
  // A module that load-file runs: its frames end where Node's module loader begins.
  const frames = loader ? /\n\s+at Module\._compile/ : /\n\s+at (?:Script\.runInThisContext|Object\.runInThisContext|new Script|node:vm)/;
  const cut = error.stack.search(frames);
  if (cut < 0) return;
  try {
    error.stack = error.stack.slice(0, cut);
  } catch {
    // A frozen error keeps its stack.
  }
}

function scopeSource(session: EvalSession, emitter: CallEmitter, base: string) {
  return {
    lastValue: () => session.history[0],
    lastValues: () => session.history,
    lastError: () => session.lastError,
    readLine: () => () => session.input.readLine(() => emitter.event({ needInput: true })),
    stdin: () => session.input.stream(),
    require: requireFor(base),
    module: moduleFor(base),
  };
}

/** Leaves the synchronous part; if the worker claimed it for termination, waits for the termination here. */
function leaveSynchronousPart(flag: Int32Array, call: number): void {
  if (Atomics.compareExchange(flag, RUNNING, call, 0) === call) return;
  // The worker stored -call: Runtime.terminateExecution is on its way and will end this callback.
  while (Atomics.load(flag, RUNNING) === -call) {
    // spin: the termination lands here, inside the message callback, where it is safe
  }
}

/** Runs one request. Never throws; everything goes through `emitter`. */
export function evaluate(req: EvalRequest, session: EvalSession, emitter: CallEmitter, flag: Int32Array, isDead: () => boolean): void {
  installEvalGlobals();
  installErrorGuard();
  spendLoaderWarning();
  const { filename, base } = scriptPath(req);
  const context: EvalContext = {
    out: (text) => {
      if (!isDead()) emitter.output('out', text);
    },
    err: (text) => {
      if (!isDead()) emitter.output('err', text);
    },
    // Read on every write (capture.ts): once the client is gone, output goes to the host's streams.
    get active() {
      return !isDead();
    },
    session,
    emitter,
    require: requireFor(base),
  };
  rememberScript(filename, context);
  const print = resolvePrintOptions(req.print);
  const ns = req.mode === 'eval' ? req.ns ?? 'user' : undefined;
  const started = performance.now();

  /** Sends a long value in pieces (value-streams.ts); false when it is short or cannot go so. */
  const streamed = (value: unknown, streams: ValueStreams): { printed?: PrintResult; sent: boolean } => {
    let printed: PrintResult | undefined;
    let source = stringSource(value, print);
    if (!source) {
      const text = (printed = printValue(value, print)).text;
      if (text.length >= STREAM_MIN_CHARS) source = () => [text];
    }
    if (!source) return { printed, sent: false };
    let opened: ReturnType<ValueStreams['open']>;
    try {
      opened = streams.open(source, req.conn, print.quota, print.stream ? print.bufferSize : undefined);
    } catch {
      // The printer in pieces failed: the whole-value path says so with print/error, as for any value.
      return { printed, sent: false };
    }
    if (!opened) return { printed, sent: false };
    const event: Record<string, unknown> = { valueStream: opened.valueStream, ns, ms: Math.round(performance.now() - started) };
    if (opened.truncated) event.truncated = true;
    if (printed?.error) event.printError = printed.error;
    else if (print.problems.length > 0) event.printError = print.problems.join('; ');
    emitter.finish(event);
    // The first piece follows the event at once: no round trip before the first byte.
    streams.pull(opened.valueStream.stream, PIECES_AHEAD);
    return { sent: true };
  };

  const succeed = (value: unknown): void => {
    session.remember(value);
    if (req.pieces && isDead()) {
      // Nobody will read it: its connection closed while it ran.
      emitter.finish({ ns, ms: Math.round(performance.now() - started) });
      return;
    }
    let printed: PrintResult | undefined;
    if (req.pieces && valueStreams) {
      const outcome = streamed(value, valueStreams);
      if (outcome.sent) return;
      printed = outcome.printed;
    }
    printed ??= printValue(value, print);
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

  // load-file of one of the app's module files runs it as that module (reload.ts), not as REPL code.
  const moduleLoad = req.mode === 'load-file' && req.file && typeof req.source === 'string' ? moduleKind(filename) : undefined;
  const loaded = (outcome: ModuleLoad): void => {
    if (outcome.note) emitter.output('err', outcome.note);
    succeed(outcome.value);
  };

  if (!moduleLoad && req.syntaxError) {
    const { message, line, column } = req.syntaxError;
    emitter.output('err', `Uncaught SyntaxError: ${message} (${req.file}:${line}:${column})\n`);
    emitter.finish({ error: { ex: 'SyntaxError', rootEx: 'SyntaxError', message, causes: [] } });
    return;
  }

  let result: unknown;
  Atomics.store(flag, RUNNING, req.call);
  if (isCancelled(flag, req.call)) {
    // Interrupted before it started: the worker has answered it already. Never run it.
    leaveSynchronousPart(flag, req.call);
    return;
  }
  try {
    result = runWithRoute(context, () => {
      if (moduleLoad) return loadAsModule(filename, req.source!, moduleLoad);
      const ns = req.namespaced ? namespaceFor(req.ns) : undefined;
      const compiled = compile(req, filename, planFor(req, ns));
      const scope = compiled.plan && scopeObjects(compiled.plan, scopeSource(session, emitter, base), ns);
      const value = run(compiled.script, scope);
      return compiled.plan && !req.async && blockQuirk(req, value) ? undefined : value;
    });
  } catch (error) {
    leaveSynchronousPart(flag, req.call);
    trimStack(error, moduleLoad !== undefined);
    fail(error);
    return;
  }
  leaveSynchronousPart(flag, req.call);
  if (moduleLoad) {
    if (result instanceof Promise) (result as Promise<ModuleLoad>).then(loaded, fail);
    else loaded(result as ModuleLoad);
    return;
  }
  if (req.async) {
    (result as Promise<unknown>).then(succeed, fail);
  } else {
    succeed(result);
  }
}
