/**
 * How the plain REPL (`nrepl-ts/repl`) shows things: node's REPL over a
 * line, readable with nc or telnet. A `> ` prompt (`... ` while a form
 * continues), values printed as util.inspect prints them, errors as
 * `Uncaught …` text, the output of evaluated code as it comes.
 *
 * Pure text; the connection (connection/form-connection.ts) writes it.
 */
import type { CallEvent } from '../main-thread-link';
import type { Presenter } from '../connection/form-connection';
import type { ReadError } from '../../shared/form-reader';
import { plainReplNotice, startsBencodeDict } from '../../shared/foreign';
import { syntaxErrorText } from '../../shared/syntax-error';

const HELP =
  '.exit     Close this connection (also :repl/quit)\n' +
  '.help     Print this help\n' +
  'Ctrl-C    Interrupt the running evaluation (a raw 0x03 byte or telnet\'s Interrupt Process)\n' +
  '_ _error  The last value and the last error; $1 $2 $3 $e as in nREPL\n';

/** REPL commands typed as a whole form (`.exit` closes the connection, see form-connection.ts). */
const COMMANDS: Record<string, string | undefined> = { '.help': HELP, '.break': '', '.clear': '' };

/** The plain REPL's presenter. */
export const replPresenter: Presenter = {
  print: { 'nrepl.middleware.print/print': 'inspect' },
  quietErrors: false,
  interactive: true,
  command: (source) => COMMANDS[source],
  prompt: (continuation) => (continuation ? '... ' : '> '),
  out: (text) => text,
  err: (text) => text,
  // Error text arrives as `err` output from the evaluator; a value is one line of its own.
  answer: (event: CallEvent) => (typeof event.value === 'string' ? `${event.value}\n` : ''),
  // The shape V8 gives the main thread's syntax errors (shared/syntax-error.ts).
  readError: (error: ReadError, source?: string) => syntaxErrorText(source ?? '', error),
  tooLarge: (chars) => `nrepl-ts: input of ${chars} characters without a complete form exceeds max-message-bytes; connection closed\n`,
  interrupted: (_source, note) => `${note}\n`,
  dropped: (count) => `nrepl-ts: dropped ${count} output write(s): the client did not read fast enough (output-buffer-bytes)\n`,
  // An nREPL client's bencode is not JavaScript: tell its user where they are instead of evaluating it.
  foreign: (head, server) => (startsBencodeDict(head) ? plainReplNotice(server) : undefined),
};
