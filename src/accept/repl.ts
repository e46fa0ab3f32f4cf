/**
 * `nrepl-ts/repl`: the plain text REPL, node:repl on the client's streams —
 * composed with Node's own REPL as CLJ-1671 composes with clojure.main/repl.
 * Usable with nc or telnet: a prompt, evaluation in the host's global
 * context, top-level await, multi-line input, errors printed to the client,
 * `.exit` or `:repl/quit` closing only this connection.
 *
 * Runs on the main thread (node:repl evaluates on the thread that owns it).
 * Output of evaluated code, including from callbacks it starts, is routed to
 * this client (eval/capture.ts) instead of the host's terminal.
 */
import type { REPLServer } from 'node:repl';
import type { AcceptClient } from './contract';
import { runWithRoute, type OutputRoute } from '../eval/capture';

type ReplEval = REPLServer['eval'];

/** The accept function behind `nrepl-ts/repl`. */
export function acceptRepl(client: AcceptClient): void {
  const repl = require('node:repl') as typeof import('node:repl');
  const route: OutputRoute = {
    out: (text) => client.output.write(text),
    err: (text) => client.error.write(text),
    get active() {
      return !client.closed;
    },
  };
  const server = repl.start({
    input: client.input,
    output: client.output,
    prompt: '> ',
    terminal: false,
    useGlobal: true,
    // The host's SIGINT stays the host's: Ctrl-C in nc never reaches us anyway.
    breakEvalOnSigint: false,
  });
  const defaultEval: ReplEval = server.eval;
  const routedEval: ReplEval = function (this: REPLServer, code, context, file, callback) {
    if (code.trim() === ':repl/quit') {
      client.close();
      return;
    }
    runWithRoute(route, () => defaultEval.call(this, code, context, file, callback));
  };
  (server as { eval: ReplEval }).eval = routedEval;
  server.on('exit', () => client.close());
  client.input.on('end', () => server.close());
}
