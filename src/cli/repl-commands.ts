/**
 * The REPL commands `nrepl-ts connect` handles itself instead of sending
 * them as code, as node's REPL does: `.exit` (also Clojure's `:repl/quit`),
 * `.help`, `.editor`, and `.break`/`.clear` (drop a half-typed entry). Only a
 * whole line at the start of an entry is a command; for Lisp servers only
 * `:repl/quit`, since `.help` could be a symbol there. Also the prompt.
 *
 * Pure: no I/O.
 */
import type { Dialect } from './input';

/** A command typed at the prompt. */
export type ReplCommand = 'exit' | 'help' | 'editor' | 'break';

/** What `.help` prints. */
export const REPL_HELP = [
  '.break    Drop the entry being typed (also .clear)',
  '.editor   Enter editor mode: type several lines, Ctrl-D evaluates them, Ctrl-C cancels',
  '.exit     Close this REPL (also :repl/quit and Ctrl-D)',
  '.help     Print this help',
  '',
  'Tab completes, Ctrl-C interrupts a running evaluation; _ is the last value, _error the last error',
  '($1 $2 $3 $e as in nREPL) unless the app has globals of those names.',
].join('\n');

/** The command a line is, or undefined when it is code. `inEntry`: lines of an unfinished entry came before. */
export function replCommand(line: string, dialect: Dialect, inEntry: boolean): ReplCommand | undefined {
  const word = line.trim();
  if (word === ':repl/quit') return 'exit';
  if (dialect !== 'js') return undefined;
  // `.break` is meant for the middle of an entry; the others only start one.
  if (word === '.break' || word === '.clear') return 'break';
  if (inEntry) return undefined;
  switch (word) {
    case '.exit':
      return 'exit';
    case '.help':
      return 'help';
    case '.editor':
      return 'editor';
    default:
      return undefined;
  }
}

/**
 * The prompt's name: for a JavaScript server the eval's ns when it is not
 * the default `user` (a file or folder), else the app's name from describe;
 * for a Lisp server the ns, as Clojure shows it.
 */
export function promptName(ns: string, dialect: Dialect, app: string | undefined): string {
  if (dialect === 'lisp') return ns;
  return ns !== 'user' && ns !== '' ? ns : app || 'js';
}
