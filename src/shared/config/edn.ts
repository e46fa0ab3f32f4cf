/**
 * A small, pure EDN reader for config values (`.nrepl.edn`, `NREPL_SERVER_*`).
 *
 * It reads exactly one form into plain JS data: maps become plain objects,
 * vectors, lists and sets become arrays, keywords and symbols become strings
 * without the colon (`:ns/a` → "ns/a"), characters become one-char strings,
 * `#inst`/`#uuid` become their string, metadata is skipped and `#_` discards.
 *
 * It does not evaluate anything, does not resolve namespaces, does not keep
 * metadata or distinguish keywords from symbols, and rejects other `#tags`.
 * Errors are EdnSyntaxError with a 1-based line and column.
 */

/** A reader error, with the 1-based line and column where it was detected. */
export class EdnSyntaxError extends Error {
  /** What went wrong, without the position. */
  readonly reason: string;
  readonly line: number;
  readonly column: number;

  constructor(reason: string, line: number, column: number) {
    super(`${reason} at line ${line}, column ${column}`);
    this.name = 'EdnSyntaxError';
    this.reason = reason;
    this.line = line;
    this.column = column;
  }
}

/** Options for parseEdn. */
export interface ParseEdnOptions {
  /** Return undefined for input with no form (only whitespace and comments) instead of failing. */
  allowEmpty?: boolean;
}

const MAX_DEPTH = 500;
const WHITESPACE = new Set([' ', '\t', '\n', '\r', '\f', '\v', ',']);
const DELIMITERS = new Set(['(', ')', '[', ']', '{', '}', '"', ';', '^', '\\']);
const CLOSERS: Record<string, string> = { '(': ')', '[': ']', '{': '}', '#{': '}' };
const CHAR_NAMES: Record<string, string> = { newline: '\n', space: ' ', tab: '\t', return: '\r', backspace: '\b', formfeed: '\f' };
const STRING_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '"': '"', '\\': '\\' };
const INT_RE = /^[+-]?(?:0|[1-9]\d*)N?$/;
const HEX_RE = /^[+-]?0[xX][0-9a-fA-F]+N?$/;
const FLOAT_RE = /^[+-]?(?:0|[1-9]\d*)(?:\.\d*)?(?:[eE][+-]?\d+)?M?$/;
const SYMBOL_RE = /^(?:[\p{L}*+!\-_?<>=.&%$|][\p{L}\p{N}*+!\-_?<>=.&%$|:#'/]*|\/)$/u;

/** Marker for "nothing here" from readForm when it meets a closing delimiter. */
const CLOSE = Symbol('close');

/**
 * Reads exactly one EDN form from `text`; trailing whitespace and comments are fine.
 * Throws EdnSyntaxError (and nothing else) on malformed input or a second form.
 */
export function parseEdn(text: string, options: ParseEdnOptions = {}): unknown {
  const reader = new Reader(text);
  reader.skipSpace();
  if (reader.atEnd()) {
    if (options.allowEmpty) return undefined;
    reader.fail('expected an EDN value, found only whitespace or comments', reader.pos);
  }
  const value = reader.readTop();
  reader.skipSpace();
  if (!reader.atEnd()) {
    const c = text[reader.pos];
    const extra = ')]}'.includes(c) ? `unexpected "${c}" with nothing open` : 'expected a single EDN value, found another value after it';
    reader.fail(extra, reader.pos);
  }
  return value;
}

class Reader {
  pos = 0;
  private depth = 0;

  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  fail(reason: string, at: number): never {
    const { line, column } = this.locate(at);
    throw new EdnSyntaxError(reason, line, column);
  }

  /** 1-based line and column (in code points) of offset `at`. */
  private locate(at: number): { line: number; column: number } {
    const before = this.text.slice(0, at);
    const lineStart = before.lastIndexOf('\n') + 1;
    const line = before.split('\n').length;
    return { line, column: Array.from(before.slice(lineStart)).length + 1 };
  }

  /** Skips whitespace, commas, `;` comments and `#_`-discarded forms. */
  skipSpace(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t[this.pos];
      if (WHITESPACE.has(c)) {
        this.pos++;
      } else if (c === ';') {
        while (this.pos < t.length && t[this.pos] !== '\n') this.pos++;
      } else if (c === '#' && t[this.pos + 1] === '_') {
        const start = this.pos;
        this.pos += 2;
        // Each #_ reads its form recursively: count it like an open bracket, or a long chain overflows the stack.
        this.enter(start);
        if (this.readForm() === CLOSE) this.fail('#_ must be followed by a value to discard', start);
        this.depth--;
      } else {
        return;
      }
    }
  }

  readTop(): unknown {
    const start = this.pos;
    const value = this.readForm();
    if (value === CLOSE) this.fail(`unexpected "${this.text[start]}" with nothing open`, start);
    return value;
  }

  /** Reads one form; returns CLOSE (without consuming it) at a closing delimiter. */
  private readForm(): unknown {
    this.skipSpace();
    const t = this.text;
    const start = this.pos;
    if (this.atEnd()) this.fail('unexpected end of input, expected a value', start);
    const c = t[start];
    switch (c) {
      case ')': case ']': case '}': return CLOSE;
      case '(': case '[': this.pos++; return this.readSeq(c, start);
      case '{': this.pos++; return this.readMap(start);
      case '"': return this.readString();
      case '\\': return this.readChar();
      case '^': return this.readWithMeta(start);
      case '#': return this.readDispatch(start);
      default: return this.readAtom(start);
    }
  }

  private enter(start: number): void {
    if (++this.depth > MAX_DEPTH) this.fail(`values nested more than ${MAX_DEPTH} deep`, start);
  }

  private readSeq(open: string, start: number): unknown[] {
    this.enter(start);
    const items: unknown[] = [];
    for (;;) {
      this.skipSpace();
      if (this.atEnd()) this.fail(`unexpected end of input: "${open}" opened here is never closed`, start);
      const item = this.readForm();
      if (item === CLOSE) {
        this.expectCloser(open, start);
        this.depth--;
        return items;
      }
      items.push(item);
    }
  }

  private readMap(start: number): Record<string, unknown> {
    const forms = this.readSeq('{', start);
    if (forms.length % 2 !== 0) this.fail(`a map needs an even number of forms (key value pairs), found ${forms.length}`, start);
    const map: Record<string, unknown> = {};
    for (let i = 0; i < forms.length; i += 2) {
      const key = mapKey(forms[i]);
      if (Object.prototype.hasOwnProperty.call(map, key)) this.fail(`duplicate key "${key}" in map`, start);
      // defineProperty keeps a "__proto__" key as plain data instead of changing the prototype.
      Object.defineProperty(map, key, { value: forms[i + 1], enumerable: true, writable: true, configurable: true });
    }
    return map;
  }

  private expectCloser(open: string, start: number): void {
    const found = this.text[this.pos];
    const want = CLOSERS[open];
    if (found !== want) {
      const { line, column } = this.locate(start);
      this.fail(`expected "${want}" to close "${open}" from line ${line}, column ${column}, found "${found}"`, this.pos);
    }
    this.pos++;
  }

  private readString(): string {
    const t = this.text;
    const start = this.pos;
    let out = '';
    this.pos++;
    while (this.pos < t.length) {
      const c = t[this.pos];
      if (c === '"') {
        this.pos++;
        return out;
      }
      if (c === '\\') {
        const e = t[this.pos + 1];
        if (e === 'u') {
          const hex = t.slice(this.pos + 2, this.pos + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('a \\u escape needs exactly 4 hex digits', this.pos);
          out += String.fromCharCode(parseInt(hex, 16));
          this.pos += 6;
        } else if (e !== undefined && hasOwn(STRING_ESCAPES, e)) {
          out += STRING_ESCAPES[e];
          this.pos += 2;
        } else {
          this.fail(`unsupported escape "\\${printable(e ?? '')}" in string`, this.pos);
        }
      } else {
        out += c;
        this.pos++;
      }
    }
    return this.fail('unexpected end of input: string opened here is never closed', start);
  }

  private readChar(): string {
    const start = this.pos;
    this.pos++;
    const first = this.text.codePointAt(this.pos);
    if (first === undefined) this.fail('unexpected end of input after "\\"', start);
    const firstChar = String.fromCodePoint(first);
    this.pos += firstChar.length;
    const rest = this.token();
    if (rest === '') return firstChar;
    const name = firstChar + rest;
    if (hasOwn(CHAR_NAMES, name)) return CHAR_NAMES[name];
    if (/^u[0-9a-fA-F]{4}$/.test(name)) return String.fromCharCode(parseInt(name.slice(1), 16));
    return this.fail(`unsupported character literal "\\${printable(name)}"`, start);
  }

  private readWithMeta(start: number): unknown {
    this.pos++;
    this.enter(start);
    const meta = this.readForm();
    if (meta === CLOSE) this.fail('"^" must be followed by metadata and a value', start);
    const value = this.readForm();
    if (value === CLOSE) this.fail('metadata must be followed by a value', start);
    this.depth--;
    return value;
  }

  private readDispatch(start: number): unknown {
    const t = this.text;
    const next = t[start + 1];
    if (next === '{') {
      this.pos += 2;
      return this.readSeq('#{', start);
    }
    if (next === '#') {
      this.pos += 2;
      const name = this.token();
      const values: Record<string, number> = { Inf: Infinity, '-Inf': -Infinity, NaN: NaN };
      if (hasOwn(values, name)) return values[name];
      return this.fail(`unknown symbolic value "##${name}"`, start);
    }
    this.pos++;
    const tag = this.token();
    if (tag === 'inst' || tag === 'uuid') {
      this.enter(start);
      const value = this.readForm();
      if (typeof value !== 'string') this.fail(`#${tag} must be followed by a string`, start);
      this.depth--;
      return value;
    }
    if (tag === '') return this.fail(`unsupported dispatch "#${next ?? ''}"`, start);
    return this.fail(`unsupported tagged literal "#${tag}" (only #inst and #uuid are read)`, start);
  }

  /** Reads a run of non-delimiter, non-space characters. */
  private token(): string {
    const t = this.text;
    const start = this.pos;
    while (this.pos < t.length && !WHITESPACE.has(t[this.pos]) && !DELIMITERS.has(t[this.pos])) this.pos++;
    return t.slice(start, this.pos);
  }

  private readAtom(start: number): unknown {
    const tok = this.token();
    if (tok === '') this.fail(`unexpected character "${this.text[start]}"`, start);
    if (/^[+-]?\d/.test(tok)) return this.number(tok, start);
    if (tok === 'nil') return null;
    if (tok === 'true') return true;
    if (tok === 'false') return false;
    if (tok.startsWith(':')) {
      const name = tok.slice(1);
      if (name.startsWith(':')) this.fail(`auto-resolved keyword "${tok}" is not EDN`, start);
      if (!SYMBOL_RE.test(name) || name === '/') this.fail(`invalid keyword "${tok}"`, start);
      return name;
    }
    if (!SYMBOL_RE.test(tok)) this.fail(`invalid symbol "${tok}"; if it is a name or path, write it as a string: "${tok}"`, start);
    return tok;
  }

  private number(tok: string, start: number): number {
    if (INT_RE.test(tok)) return Number(tok.replace(/N$/, ''));
    if (HEX_RE.test(tok)) {
      const neg = tok.startsWith('-');
      const n = parseInt(tok.replace(/^[+-]?0[xX]/, '').replace(/N$/, ''), 16);
      return neg ? -n : n;
    }
    if (FLOAT_RE.test(tok)) return Number(tok.replace(/M$/, ''));
    return this.fail(`invalid number "${tok}"`, start);
  }
}

function hasOwn(table: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(table, key);
}

/** Turns a map key into the object key: keywords/symbols/strings as is, others printed. */
function mapKey(key: unknown): string {
  if (typeof key === 'string') return key;
  if (key === null) return 'nil';
  if (typeof key === 'number' || typeof key === 'boolean') return String(key);
  return JSON.stringify(key);
}

/** Text for an error message: control characters escaped, so a problem always prints on one line. */
function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => JSON.stringify(c).slice(1, -1));
}
