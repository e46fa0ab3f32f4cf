/**
 * `nrepl-ts/repl`: the plain text REPL, usable with nc or telnet, in the
 * agent worker: a `> ` prompt, evaluation on the host's main thread through
 * the same path as nREPL and the prepl (top-level await, multi-line input,
 * errors printed to the client), `.exit` or `:repl/quit` closing only this
 * connection, Ctrl-C interrupting the running evaluation.
 *
 * It is not node:repl: node:repl must run on the main thread, where a
 * `while (true) {}` could never be interrupted, and with `useGlobal` it
 * writes `_`, `require` and the built-in module names onto the app's global
 * object. The conveniences exist for evaluated code only (eval/context.ts).
 */
import type { MainThreadLink } from '../main-thread-link';
import { argsLanguage } from '../eval/language';
import { FormConnection } from '../connection/form-connection';
import { flowLimitsOf } from '../connection/socket-connection';
import { Interrupter } from '../nrepl/interrupter';
import { replPresenter } from './presenter';
import type { WorkerAccept } from '../server/registry';

/** Creates the worker-side accept function of the plain REPL servers. */
export function createReplAccept(mainThread: MainThreadLink, evalFlag: Int32Array): WorkerAccept {
  const interrupter = new Interrupter(evalFlag, mainThread);
  return ({ socket, server, client, spec }) => {
    new FormConnection({
      socket,
      mainThread,
      interrupter,
      evalFlag,
      presenter: replPresenter,
      kind: 'repl',
      server,
      client,
      maxChars: spec['max-message-bytes'],
      limits: flowLimitsOf(spec),
      language: argsLanguage(spec.args),
    });
  };
}
