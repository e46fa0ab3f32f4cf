/**
 * What `nrepl-ts connect` needs to know about typed text, without a server:
 * whether the lines so far form complete input (or the prompt continues with
 * `...`), and which word before the cursor Tab should complete.
 *
 * Two dialects, chosen from the server's `describe`: JavaScript (our server,
 * and the default for unknown servers) and Lisp (Clojure and friends, whose
 * `versions` name them). Pure; it never evaluates anything.
 *
 * JavaScript input is incomplete when acorn's first syntax error is at the end
 * of the input (an open bracket, a dangling operator, `if (x)`) or is an
 * unterminated template literal or block comment (those may span lines).
 * Any other error means the input is complete but wrong: it is sent, and the
 * server reports the error, as node:repl does. Lisp input is incomplete while
 * a bracket or string is open.
 */
import { parse, type Options } from 'acorn';

/** How typed text is read. */
export type Dialect = 'js' | 'lisp';

const PARSE_OPTIONS: Options = {
  ecmaVersion: 'latest',
  sourceType: 'script',
  allowAwaitOutsideFunction: true,
  allowReturnOutsideFunction: true,
  allowImportExportEverywhere: true,
  allowHashBang: true,
};

/** Errors that may be fixed by the next line even though acorn reports them before the end. */
const OPEN_ACROSS_LINES = /^Unterminated (template|comment)/;

/** True when `code` needs more lines before it can be sent. */
export function isIncomplete(code: string, dialect: Dialect): boolean {
  if (code.trim() === '') return false;
  return dialect === 'lisp' ? lispIncomplete(code) : jsIncomplete(code);
}

function jsIncomplete(code: string): boolean {
  try {
    parse(code, PARSE_OPTIONS);
    return false;
  } catch (err) {
    const e = err as { pos?: unknown; message?: unknown };
    if (typeof e.pos !== 'number' || typeof e.message !== 'string') return false;
    return e.pos >= code.length || OPEN_ACROSS_LINES.test(e.message);
  }
}

const CLOSERS: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

function lispIncomplete(code: string): boolean {
  const open: string[] = [];
  for (let i = 0; i < code.length; i++) {
    const ch = code[i]!;
    if (ch === '\\') {
      i++; // character literal: \( \" \;
    } else if (ch === ';') {
      while (i < code.length && code[i] !== '\n') i++;
    } else if (ch === '"') {
      for (i++; i < code.length && code[i] !== '"'; i++) if (code[i] === '\\') i++;
      if (i >= code.length) return true;
    } else if (CLOSERS[ch]) {
      open.push(CLOSERS[ch]!);
    } else if (ch === ')' || ch === ']' || ch === '}') {
      // A stray or mismatched closer is complete (and wrong): let the server say so.
      if (open.pop() !== ch) return false;
    }
  }
  return open.length > 0;
}

const JS_WORD = /[\p{ID_Continue}$\u200c\u200d.#]*$/u;
const LISP_WORD = /[^\s()[\]{}"'`~@,;^]*$/;

/** The word ending at the cursor that Tab completes (`process.ver` in `x = process.ver`); may be empty. */
export function wordBeforeCursor(lineBeforeCursor: string, dialect: Dialect): string {
  const match = (dialect === 'lisp' ? LISP_WORD : JS_WORD).exec(lineBeforeCursor);
  const word = match ? match[0] : '';
  // A number like `1.5` is not a completion prefix; a member chain like `a.b` is.
  return dialect === 'js' && /^[\d.]/.test(word) ? '' : word;
}

/** The dialect for a server, from its `describe` `versions`: Lisp when it names a Clojure-family runtime. */
export function dialectOf(versions: unknown): Dialect {
  if (!versions || typeof versions !== 'object' || Array.isArray(versions)) return 'js';
  const names = Object.keys(versions);
  return names.some((n) => ['clojure', 'clojurescript', 'babashka', 'nbb', 'basilisp', 'clojure-clr', 'jank'].includes(n)) ? 'lisp' : 'js';
}
