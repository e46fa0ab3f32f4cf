/**
 * The prepl's reader: cuts the text a client sends into forms to evaluate,
 * the way node:repl's multi-line mode does. Text is taken a line at a time;
 * after each line the lines gathered so far are one form as soon as they are
 * complete JavaScript. Incomplete code — a parse error at the very end of the
 * input, or an unterminated template literal, block comment, or string whose
 * line ends in a `\` continuation — waits for more lines. Any other syntax
 * error ends the form too: it is evaluated (and reported) like any code.
 *
 * Pure: text in, forms out. It never evaluates, never touches a socket and
 * never throws. It does not split one line into several forms (`1; 2` is one
 * form, like in node:repl); lines holding only whitespace or comments give no
 * form at all, as the Clojure reader skips them. A line `:repl/quit` outside
 * a form asks to end the connection.
 *
 * Cost: each line re-parses the form gathered so far, so pasting one huge
 * multi-line form is quadratic in its size (node:repl behaves the same).
 */
import { parse, type Options } from 'acorn';

/** A syntax error found while reading, located in the form (1-based line and column, as V8 reports them). */
export interface ReadError {
  name: 'SyntaxError';
  /** acorn's message without its `(line:column)` suffix. */
  message: string;
  line: number;
  column: number;
}

/**
 * What the reader found: a form to evaluate (with its syntax error, if it has
 * one: such a form is reported, not evaluated), the request to quit, or a
 * form larger than allowed.
 */
export type ReaderItem =
  | { kind: 'form'; source: string; error?: ReadError }
  | { kind: 'quit' }
  | { kind: 'too-large'; chars: number };

/** How a piece of code reads. */
export type Completeness = 'complete' | 'incomplete' | 'empty';

// The evaluator's own options (eval/transform.ts): what it accepts, we accept.
const PARSE_OPTIONS: Options = {
  ecmaVersion: 'latest',
  sourceType: 'script',
  allowAwaitOutsideFunction: true,
  allowHashBang: true,
  allowImportExportEverywhere: true,
};

const CONTINUATION_AT_END = /\\(?:\r\n?|\n|\u2028|\u2029)$/;
const QUIT = ':repl/quit';

type ParseOutcome = { ok: true; empty: boolean } | { ok: false; recoverable: boolean; error: ReadError };

function tryParse(code: string): ParseOutcome {
  try {
    const program = parse(code, PARSE_OPTIONS);
    return { ok: true, empty: program.body.length === 0 };
  } catch (err) {
    const e = err as { message?: unknown; pos?: unknown; loc?: { line?: unknown; column?: unknown } };
    const message = typeof e.message === 'string' ? e.message : String(err);
    // acorn gives up on very deep nesting that V8 still compiles: let the evaluator judge it.
    if (message.startsWith('Not enough stack space')) return { ok: true, empty: false };
    const error: ReadError = {
      name: 'SyntaxError',
      message: message.replace(/ \(\d+:\d+\)$/, ''),
      line: typeof e.loc?.line === 'number' ? e.loc.line : 1,
      column: typeof e.loc?.column === 'number' ? e.loc.column + 1 : 1,
    };
    let recoverable = e.pos === code.length;
    if (message.startsWith('Unterminated template') || message.startsWith('Unterminated comment')) recoverable = true;
    if (message.startsWith('Unterminated string constant')) recoverable = CONTINUATION_AT_END.test(code);
    return { ok: false, recoverable, error };
  }
}

/**
 * Turns TypeScript into JavaScript of the same length (eval/typescript.ts), or
 * undefined when it cannot (an `enum`): such code is a complete form, and the
 * evaluator reports why.
 */
export type Stripper = (code: string) => string | undefined;

/** How `code` reads, and its syntax error when it is complete but invalid. With `strip`, `code` is TypeScript. */
export function classify(typed: string, strip?: Stripper): { state: Completeness; error?: ReadError } {
  const code = strip ? strip(typed) : typed;
  if (code === undefined) return { state: 'complete' };
  const statements = tryParse(code);
  if (statements.ok) return { state: statements.empty ? 'empty' : 'complete' };
  // Like the evaluator (and node:repl), `{…}` may be an object literal: `{ "a": 1,` is incomplete.
  const objectLike = /^\s*\{/.test(code);
  if (objectLike && !/;\s*$/.test(code) && tryParse(`(${code}\n)`).ok) return { state: 'complete' };
  if (statements.recoverable) return { state: 'incomplete' };
  if (objectLike) {
    const wrapped = tryParse(`(${code}`);
    if (!wrapped.ok && wrapped.recoverable) return { state: 'incomplete' };
  }
  return { state: 'complete', error: statements.error };
}

/**
 * Whether `code` (a whole number of lines) is a form yet: 'complete' (valid,
 * or invalid in a way more lines cannot fix), 'incomplete', or 'empty' (only
 * whitespace and comments).
 */
export function completeness(code: string): Completeness {
  return classify(code).state;
}

/** Options for {@link FormReader}. */
export interface FormReaderOptions {
  /** Largest form, in UTF-16 code units, before the reader gives up with `too-large`. */
  maxChars?: number;
  /** Set for TypeScript input: forms are judged after stripping their types. */
  strip?: Stripper;
}

/** Gathers lines into forms. Feed it text as it arrives; it keeps what is not a whole line yet. */
export class FormReader {
  /** Text after the last newline, kept as pieces: joining each chunk onto one string would copy it over and over. */
  private partialPieces: string[] = [];
  private partialLength = 0;
  private lines = '';
  private failed = false;
  private readonly maxChars: number;
  /** Read TypeScript from now on (set once the stripper has loaded). */
  strip: Stripper | undefined;

  constructor(options: FormReaderOptions = {}) {
    this.maxChars = options.maxChars ?? Infinity;
    this.strip = options.strip;
  }

  /** True while some text waits for more lines (an incomplete form or a partial line). */
  get pending(): boolean {
    return this.lines !== '' || this.partialLength > 0;
  }

  /** Takes text as it arrived; returns the forms it completed, in order. */
  push(text: string): ReaderItem[] {
    if (this.failed) return [];
    const items: ReaderItem[] = [];
    if (!text.includes('\n')) {
      // No line ends here: keep the piece and only check the bound.
      this.partialPieces.push(text);
      this.partialLength += text.length;
      if (this.lines.length + this.partialLength > this.maxChars) {
        items.push({ kind: 'too-large', chars: this.lines.length + this.partialLength });
        return this.stop(items);
      }
      return items;
    }
    let rest = this.takePartial() + text;
    let newline = rest.indexOf('\n');
    while (newline >= 0) {
      const item = this.line(rest.slice(0, newline + 1));
      if (item) {
        items.push(item);
        if (item.kind !== 'form') return this.stop(items);
      }
      rest = rest.slice(newline + 1);
      newline = rest.indexOf('\n');
    }
    if (rest !== '') {
      this.partialPieces.push(rest);
      this.partialLength = rest.length;
    }
    if (this.lines.length + this.partialLength > this.maxChars) {
      items.push({ kind: 'too-large', chars: this.lines.length + this.partialLength });
      return this.stop(items);
    }
    return items;
  }

  private takePartial(): string {
    const text = this.partialPieces.join('');
    this.partialPieces = [];
    this.partialLength = 0;
    return text;
  }

  /** The input ended: whatever is left is the last form, complete or not (its errors are reported). */
  end(): ReaderItem[] {
    if (this.failed) return [];
    const rest = this.lines + this.takePartial();
    this.lines = '';
    if (rest.trim() === QUIT) return [{ kind: 'quit' }];
    const { state, error } = classify(rest.endsWith('\n') ? rest : `${rest}\n`, this.strip);
    if (state === 'empty') return [];
    // Still incomplete at the end of input: it is reported with the error at its end.
    return [form(rest, error ?? (state === 'incomplete' ? classifyAtEnd(rest.replace(/\r?\n$/, '')) : undefined))];
  }

  private line(line: string): ReaderItem | undefined {
    if (this.lines === '') {
      if (line.trim() === '') return undefined;
      if (line.trim() === QUIT) return { kind: 'quit' };
    }
    this.lines += line;
    if (this.lines.length > this.maxChars) return { kind: 'too-large', chars: this.lines.length };
    const { state, error } = classify(this.lines, this.strip);
    if (state === 'incomplete') return undefined;
    const source = this.lines;
    this.lines = '';
    return state === 'empty' ? undefined : form(source, error);
  }

  private stop(items: ReaderItem[]): ReaderItem[] {
    if (items[items.length - 1]?.kind === 'too-large') this.failed = true;
    this.lines = '';
    this.partialPieces = [];
    this.partialLength = 0;
    return items;
  }
}

function form(source: string, error: ReadError | undefined): ReaderItem {
  const text = source.replace(/\r?\n$/, '');
  return error ? { kind: 'form', source: text, error } : { kind: 'form', source: text };
}

/** The error of code that ended while incomplete. */
function classifyAtEnd(code: string): ReadError {
  const outcome = tryParse(code);
  if (outcome.ok) return { name: 'SyntaxError', message: 'Unexpected end of input', line: 1, column: 1 };
  // acorn's "Unexpected token" at the end means what V8 says.
  return outcome.error.message === 'Unexpected token' ? { ...outcome.error, message: 'Unexpected end of input' } : outcome.error;
}
