/**
 * `eval` and `load-file`: queue the code on its session, prepare it in the
 * worker (eval/transform.ts: re-declarable top-level declarations, top-level
 * await), evaluate it on the main thread, and turn the main thread's events
 * into the reference reply sequence: out/err as they happen, then
 * `{value, ns}` (or value chunks and a separate `{ns}` when streaming), or
 * `err` + `{ex, root-ex, status:[eval-error]}`, then exactly one `done`.
 */
import { existsSync } from 'node:fs';
import { prepareInput, whenPrepared } from '../../eval/prepare';
import { LANGUAGE_KEY } from '../../eval/language';
import { IMPORT_COPY_WARNING, type PreparedEval } from '../../eval/transform';
import { heapStopMessage } from '../heap-guard';
import { chunk, resolvePrintOptions } from '../../../shared/print/options';
import type { CallEvent } from '../../main-thread-link';
import { stringField, type OpContext, type OpDescriptor } from '../dispatch';
import type { Message } from '../transport';
import { trackEval } from '../../connection/running-evals';
import type { RunningEval } from '../sessions';
import { syntaxErrorText } from '../../../shared/syntax-error';
import { editorSnippet } from '../editor-snippets';
import { writeLongValue } from '../long-value';

/** The part of a request the main thread needs to print (print/caught options). */
function printKeys(request: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(request)) {
    if (k.startsWith('nrepl.middleware.print/') || k.startsWith('nrepl.middleware.caught/')) out[k] = v;
  }
  return out;
}

/** Sessions told that imported names are copies (once each). */
const warnedImports = new WeakSet<object>();

/** Starts an eval (or load-file) request on its session. */
export function startEval(ctx: OpContext, code: string, mode: 'eval' | 'load-file'): void {
  const conn = ctx.connection.conn;
  const { session, server, request } = ctx;
  const id = stringField(request, 'id');
  session.enqueue(() => {
    const file =
      mode === 'load-file' ? stringField(request, 'file-path') ?? stringField(request, 'file-name') : stringField(request, 'file');
    const ns = stringField(request, 'ns');
    // An editor's Clojure bootstrap snippet (never valid JavaScript) gets its quiet answer.
    const snippet = mode === 'eval' ? editorSnippet(code, { ns: ns ?? 'user', cwd: process.cwd() }) : undefined;
    if (snippet) {
      for (const value of snippet.values) ctx.respond({ value, ns: ns ?? 'user' });
      ctx.done();
      session.finished();
      return;
    }
    whenPrepared(prepareInput(code, { requested: request[LANGUAGE_KEY], server: server.language, file, ns }), (prepared) => run(file, ns, prepared));
  }, () => ctx.done(['interrupted']));

  function run(file: string | undefined, ns: string | undefined, typed: PreparedEval): void {
    // load-file of a file on disk: the main thread may load it as its module (main/eval/reload.ts), where
    // `export` and top-level `return` are fine; it reports this syntax error only if it does not.
    const asModule = !typed.ok && mode === 'load-file' && file !== undefined && existsSync(file);
    const prepared: PreparedEval = asModule ? { ok: true, code: '', async: false, declared: [] } : typed;
    if (!prepared.ok) {
      const place = { file, ns: stringField(request, 'ns'), line: numberField(request.line), column: numberField(request.column) };
      ctx.respond({ err: syntaxErrorText(code, prepared.error, place) });
      ctx.respond({ ex: 'SyntaxError', 'root-ex': 'SyntaxError', status: ['eval-error'] });
      ctx.done();
      session.finished();
      return;
    }
    if (prepared.copiedImports && !warnedImports.has(session)) {
      warnedImports.add(session);
      ctx.respond({ err: IMPORT_COPY_WARNING });
    }
    const print = resolvePrintOptions(request);
    let streaming = false;
    let afterStream: (() => void) | undefined;
    let finished = false;
    let untrack = () => {};
    let unguard = (): void => {};
    const finish = () => {
      if (finished) return;
      finished = true;
      untrack();
      unguard();
      if (session.ephemeral) ctx.connection.ephemeral.delete(session);
      ctx.connection.calls.delete(call);
      if (session.running?.call === call) session.finished();
    };
    const onEvent = (event: CallEvent, final: boolean) => {
      if (typeof event.out === 'string') ctx.respond({ out: event.out }, true);
      if (typeof event.err === 'string') ctx.respond({ err: event.err }, true);
      if (event.needInput) ctx.respond({ status: ['need-input'] });
      if (typeof event.printError === 'string') {
        ctx.respond({ status: ['nrepl.middleware.print/error'], 'nrepl.middleware.print/error': event.printError });
      }
      if (typeof event.value === 'string') sendValue(ctx, event.value, event.truncated === true, mode === 'eval' ? (event.ns as string) : undefined, print);
      if (event.valueStream) {
        // The value comes in pieces as the client reads: done (and the session) wait for its end.
        streaming = true;
        writeLongValue(ctx, event.valueStream, event.truncated === true, mode === 'eval' ? (event.ns as string) : undefined, print, () => {
          streaming = false;
          afterStream?.();
        });
      }
      if (event.error) {
        const e = event.error as { ex: string; rootEx: string; throwable?: string };
        const fields: Message = { ex: e.ex, 'root-ex': e.rootEx, status: ['eval-error'] };
        if (e.throwable !== undefined) fields['nrepl.middleware.caught/throwable'] = e.throwable;
        ctx.respond(fields);
      }
      if (final) {
        const end = () => {
          ctx.done();
          finish();
        };
        if (!streaming) return end();
        // Nothing runs on the main thread any more: not a running eval, no heap to guard, nothing
        // to interrupt (interrupt answers session-idle). The session stays taken until it is written.
        untrack();
        unguard();
        if (session.running?.call === call) session.running.writing = true;
        afterStream = end;
      }
    };
    const call = server.mainThread.call(
      'eval',
      {
        mode,
        conn,
        id,
        session: session.id,
        ephemeral: session.ephemeral,
        code: prepared.code,
        async: prepared.async,
        declared: prepared.declared,
        namespaced: prepared.namespaced,
        file,
        line: numberField(request.line),
        column: numberField(request.column),
        ns,
        print: printKeys(request),
        pieces: true,
        source: mode === 'load-file' ? code : undefined,
        syntaxError: asModule && !typed.ok ? typed.error : undefined,
      },
      onEvent,
    );
    ctx.connection.calls.add(call);
    const running: RunningEval = {
      id,
      call,
      interrupt: () => {
        // Its value is being written: the eval is over, its value and done follow as they are.
        if (running.writing) return;
        server.mainThread.forget(call);
        ctx.done(['interrupted']);
        finish();
      },
    };
    session.running = running;
    if (session.ephemeral) ctx.connection.ephemeral.add(session);
    if (!finished) {
      untrack = trackEval({
        session: session.id,
        call,
        kind: 'nrepl',
        server: server.name,
        client: ctx.connection.client,
        id,
        code,
        stop: async () => {
          const outcome = await server.interrupter.interrupt(call);
          if (session.running === running) running.interrupt();
          return outcome;
        },
      });
      // An eval filling the host's heap is stopped before V8's limit ends the host.
      unguard = server.interrupter.guardHeap(call, (reading) => {
        if (finished) return;
        ctx.respond({ err: heapStopMessage(reading) });
        running.interrupt();
      });
    }
  }
}

function sendValue(ctx: OpContext, value: string, truncated: boolean, ns: string | undefined, print: ReturnType<typeof resolvePrintOptions>): void {
  const truncatedStatus = 'nrepl.middleware.print/truncated';
  if (print.stream) {
    for (const piece of chunk(value, print.bufferSize)) ctx.respond({ value: piece });
    if (truncated) ctx.respond({ status: [truncatedStatus] });
    if (ns !== undefined) ctx.respond({ ns });
    return;
  }
  const fields: Message = { value };
  if (ns !== undefined) fields.ns = ns;
  if (truncated) {
    fields.status = [truncatedStatus];
    fields['nrepl.middleware.print/truncated-keys'] = ['value'];
  }
  ctx.respond(fields);
}

/**
 * A 1-based line or column, or undefined. Values past 10^7 are ignored: V8 offsets near
 * 2^31 make Node 20/22 abort the whole process while decorating a syntax error.
 */
function numberField(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isInteger(n) && n > 0 && n <= 10_000_000 ? n : undefined;
}

const LANGUAGE_OPTIONAL = {
  [LANGUAGE_KEY]:
    '"typescript" strips TypeScript types before evaluating (positions kept), "javascript" does not. Default: the server\'s :typescript/:javascript arg, else TypeScript for a .ts/.mts/.cts file or ns, or when the app runs TypeScript (tsx, ts-node, --experimental-strip-types).',
};

const PRINT_OPTIONAL = {
  'nrepl.middleware.print/print': 'Printer: "inspect" (default, util.inspect), "json", "string" or "edn"; pprint names from editors map to inspect.',
  'nrepl.middleware.print/options': 'Printer options: depth, colors, compact, breakLength, maxArrayLength, maxStringLength (also right-margin, length, level).',
  'nrepl.middleware.print/stream?': 'If truthy, the value is sent in chunks of buffer-size, then a separate message with ns.',
  'nrepl.middleware.print/buffer-size': 'Chunk size for stream? (characters, default 1024).',
  'nrepl.middleware.print/quota': 'Maximum printed length; longer values are cut and marked nrepl.middleware.print/truncated.',
  'nrepl.middleware.caught/print?': 'If truthy, the printed error is added to the eval-error message.',
};

/** The `eval` op. */
export const evalOp: OpDescriptor = {
  doc: 'Evaluates JavaScript in the host program\'s global context. Top-level await works; top-level let/const/class/function declarations persist and may be re-declared. $1 $2 $3 hold the session\'s last values, $e its last error, $readLine() reads from stdin.',
  requires: { code: 'The JavaScript source to evaluate.' },
  optional: {
    session: 'The session to evaluate in (default: a new ephemeral session).',
    ns: 'Module context: a file or folder that require() and import() resolve against (default "user": the working directory).',
    file: 'File name for stack traces and relative import().',
    line: 'Line of the code in file (1-based).',
    column: 'Column of the code in file (1-based).',
    ...LANGUAGE_OPTIONAL,
    ...PRINT_OPTIONAL,
  },
  returns: {
    value: 'The printed value of the last statement.',
    ns: 'The module context of the evaluation.',
    out: 'Output written to stdout by the evaluated code, as it happens.',
    err: 'Output written to stderr by the evaluated code, and error reports.',
    ex: 'Class of the error, on eval-error.',
    'root-ex': 'Class of the innermost cause, on eval-error.',
  },
  handle(ctx) {
    const code = stringField(ctx.request, 'code');
    if (code === undefined) return ctx.done(['error', 'no-code']);
    startEval(ctx, code, 'eval');
  },
};

/** The `load-file` op. */
export const loadFileOp: OpDescriptor = {
  doc: 'Evaluates the contents of a file as one program and returns the value of its last statement.',
  requires: { file: 'The full contents of the file.' },
  optional: { 'file-path': 'Path of the file, for stack traces and relative require/import.', 'file-name': 'Name of the file.', ...LANGUAGE_OPTIONAL, ...PRINT_OPTIONAL },
  returns: { value: 'The printed value of the last statement.', out: 'Output.', err: 'Errors and stderr output.' },
  handle(ctx) {
    const code = stringField(ctx.request, 'file');
    if (code === undefined) return ctx.done(['error', 'no-code']);
    startEval(ctx, code, 'load-file');
  },
};
