/**
 * Prints JavaScript values as EDN, so that Clojure's `read-string` (and
 * remote-prepl's default valf) gives real data back. Always exactly one
 * readable form; never `#object[…]` or `#js`, never throws.
 *
 * | JavaScript | EDN |
 * |---|---|
 * | null, undefined | `nil` |
 * | true / false | `true` / `false` |
 * | safe integers | `42`, `-7` (longs) |
 * | other numbers | doubles: `1.5`, `1.8446744073709552e+19`, `-0.0`, `##NaN`, `##Inf`, `##-Inf` |
 * | BigInt | `123N` |
 * | string | `"…"` with EDN escapes (`\n \t \r \b \f \" \\`, `\uXXXX` for other controls, U+2028/9 and lone surrogates) |
 * | array, typed array | vector `[…]` (holes are nil) |
 * | plain object (prototype Object.prototype or null) | map; a key is a keyword (`:a`) when it is a simple ASCII name, else a string (`"a-b c"`, `"1"`); accessor properties print as `"[Getter]"` etc. without being called |
 * | Map | map with keys printed as values (`{"a" 1, 2 3}`) |
 * | Set | set `#{…}` |
 * | Date | `#inst "2024-01-02T03:04:05.006Z"` (years 0000–9999; else a string) |
 * | RegExp | `#"…"` when Java's regex syntax reads it the same way (flags i, m, s become `(?ims)`); else a string |
 * | Error | its `Throwable->map` (prepl/throwable.ts), without `:phase` |
 * | anything else (functions, symbols, class instances, promises, proxies…) | the util.inspect text as a string: `"[Function: f]"` |
 *
 * A Map or Set whose elements would print as equal EDN values (read-string
 * rejects duplicate keys: `#{1 1N}`, two `{}` objects) prints as a vector
 * instead (a Map as a vector of `[key value]` pairs). A value already being
 * printed (a cycle) prints as `"[Circular]"`; below `depth` (default 64)
 * containers print as `"[Object]"`, `"[Array]"`…; `maxArrayLength` (default
 * 100,000) cuts vectors and sets, ending them with the symbol `...` as
 * Clojure's `*print-length*` does.
 *
 * Also home of the prepl's JSON-mode printer (`printPreplJson`), so that
 * print.ts knows one module for both prepl printers.
 */
import { inspect, types } from 'node:util';
import { describeError } from './error-text';
import type { InspectLikeOptions } from './options';
import { regexLiteral } from './java-regex';
import { throwableData, type ThrowableData } from './throwable';

/** A keyword value for data built by the agent itself (`:phase :execution`). */
export class Keyword {
  constructor(readonly name: string) {}
  toJSON(): string {
    return this.name;
  }
}

/** Default nesting limit. */
export const DEFAULT_EDN_DEPTH = 64;
/** Default most elements printed per vector or set (a sparse `new Array(1e9)` must not print a billion nils). */
export const DEFAULT_EDN_LENGTH = 100_000;

const KEYWORD_NAME = /^[A-Za-z_*!?$%&=<>][A-Za-z0-9_*!?$%&=<>.+\-]*$/;
const OBJECT_PROTO = Object.prototype;

interface Limits {
  depth: number;
  length: number;
}

/** Prints `value` as one EDN form (see the module header); honours `depth` and `maxArrayLength`. */
export function printEdn(value: unknown, options: InspectLikeOptions = {}): string {
  const limits: Limits = {
    depth: typeof options.depth === 'number' ? options.depth : DEFAULT_EDN_DEPTH,
    length: typeof options.maxArrayLength === 'number' ? options.maxArrayLength : DEFAULT_EDN_LENGTH,
  };
  try {
    return new EdnPrinter(limits, false).print(value, 0);
  } catch (err) {
    return ednString(`[unprintable: ${oneLine(err)}]`);
  }
}

/** Prints a string as an EDN string literal. */
export function ednString(s: string): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let rep: string | undefined;
    if (c === 0x22) rep = '\\"';
    else if (c === 0x5c) rep = '\\\\';
    else if (c < 0x20 || c === 0x7f || c === 0x2028 || c === 0x2029) rep = CONTROL_ESCAPES[c] ?? unicodeEscape(c);
    else if (c >= 0xd800 && c <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        i++; // a whole pair: keep it
        continue;
      }
      rep = unicodeEscape(c); // a lone surrogate would not survive UTF-8
    }
    if (rep !== undefined) {
      out += s.slice(start, i) + rep;
      start = i + 1;
    }
  }
  return `${out}${s.slice(start)}"`;
}

const CONTROL_ESCAPES: Record<number, string> = { 0x0a: '\\n', 0x09: '\\t', 0x0d: '\\r', 0x08: '\\b', 0x0c: '\\f' };

function unicodeEscape(c: number): string {
  return `\\u${c.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** A number as EDN. */
export function ednNumber(n: number): string {
  if (Number.isNaN(n)) return '##NaN';
  if (n === Infinity) return '##Inf';
  if (n === -Infinity) return '##-Inf'; // Clojure's spelling (not -##Inf, which reads as a symbol)
  if (Object.is(n, -0)) return '-0.0';
  // A safe integer is a long. Above 2^53 String() rounds ("18446744073709552000" for 2^64), which
  // Clojure would read as a different BigInt: print those as the double they are. "1.5", "5e-324" are doubles.
  if (Number.isInteger(n) && !Number.isSafeInteger(n)) return n.toExponential();
  return String(n);
}

/** An EDN keyword for a property name, or undefined when the name is not a simple one. */
export function keywordFor(name: string): string | undefined {
  return KEYWORD_NAME.test(name) ? `:${name}` : undefined;
}

/** The printer; `canonical` prints a form that is equal exactly when Clojure's `=` would say so (for duplicate checks). */
class EdnPrinter {
  private readonly path: object[] = [];
  private canonicalPrinter: EdnPrinter | undefined;

  constructor(
    private readonly limits: Limits,
    private readonly canonical: boolean,
  ) {}

  print(v: unknown, depth: number): string {
    switch (typeof v) {
      case 'undefined':
        return 'nil';
      case 'boolean':
        return String(v);
      case 'number':
        return this.canonical && Number.isSafeInteger(v) ? String(Math.abs(v) === 0 ? 0 : v) : ednNumber(v);
      case 'bigint':
        return this.canonical ? v.toString() : `${v}N`;
      case 'string':
        return ednString(v);
      case 'symbol':
      case 'function':
        return ednString(fallbackText(v));
    }
    if (v === null) return 'nil';
    const obj = v as object;
    if (obj instanceof Keyword) return `:${obj.name}`;
    if (types.isProxy(obj)) return ednString(fallbackText(obj));
    if (this.path.includes(obj)) return ednString('[Circular]');
    if (depth >= this.limits.depth) return ednString(`[${containerName(obj)}]`);
    this.path.push(obj);
    try {
      return this.printObject(obj, depth + 1);
    } finally {
      this.path.pop();
    }
  }

  private printObject(obj: object, depth: number): string {
    if (Array.isArray(obj) || types.isTypedArray(obj)) return this.sequence('[', ']', obj as ArrayLike<unknown>, depth);
    if (types.isDate(obj)) return instant(obj as Date);
    if (types.isRegExp(obj)) return regexLiteral(obj as RegExp) ?? ednString(fallbackText(obj));
    if (types.isMap(obj)) return this.map(obj as Map<unknown, unknown>, depth);
    if (types.isSet(obj)) return this.set(obj as Set<unknown>, depth);
    if (isError(obj)) return this.print(errorAsData(obj), depth - 1);
    const proto = Object.getPrototypeOf(obj);
    if (proto === OBJECT_PROTO || proto === null) return this.plainObject(obj, depth);
    return ednString(fallbackText(obj));
  }

  private sequence(open: string, close: string, items: ArrayLike<unknown>, depth: number): string {
    const shown = Math.min(items.length, this.limits.length);
    const parts: string[] = [];
    for (let i = 0; i < shown; i++) parts.push(this.print(items[i], depth));
    if (shown < items.length) parts.push('...');
    return `${open}${parts.join(' ')}${close}`;
  }

  private plainObject(obj: object, depth: number): string {
    const parts: string[] = [];
    for (const key of Object.keys(obj)) {
      const desc = Object.getOwnPropertyDescriptor(obj, key);
      if (!desc) continue;
      const value = 'value' in desc ? this.print(desc.value, depth) : ednString(accessorText(desc));
      parts.push(`${keywordFor(key) ?? ednString(key)} ${value}`);
    }
    if (this.canonical) parts.sort();
    return `{${parts.join(', ')}}`;
  }

  private map(map: Map<unknown, unknown>, depth: number): string {
    const entries = [...map].map(([k, v]) => [this.print(k, depth), this.print(v, depth), this.canonicalKey(k, depth)]);
    if (hasDuplicates(entries.map((e) => e[2]))) return this.sequence('[', ']', [...map], depth);
    const parts = entries.map(([k, v]) => `${k} ${v}`);
    if (this.canonical) parts.sort();
    return `{${parts.join(', ')}}`;
  }

  private set(set: Set<unknown>, depth: number): string {
    const items = [...set];
    if (hasDuplicates(items.map((item) => this.canonicalKey(item, depth)))) return this.sequence('[', ']', items, depth);
    if (this.canonical) return `#{${items.map((item) => this.print(item, depth)).sort().join(' ')}}`;
    return this.sequence('#{', '}', items, depth);
  }

  private canonicalKey(v: unknown, depth: number): string {
    if (this.canonical) return this.print(v, depth);
    this.canonicalPrinter ??= new EdnPrinter(this.limits, true);
    const printer = this.canonicalPrinter;
    printer.path.length = 0;
    printer.path.push(...this.path);
    return printer.print(v, depth);
  }
}

function hasDuplicates(keys: string[]): boolean {
  return new Set(keys).size !== keys.length;
}

function isError(v: object): boolean {
  try {
    return types.isNativeError(v) || v instanceof Error;
  } catch {
    return false;
  }
}

/** A returned (not thrown) error, as Clojure's io-prepl sends one: its Throwable->map. */
export function errorAsData(err: object): Record<string, unknown> {
  const described = describeError(err);
  let message = '';
  let stack: string | undefined;
  try {
    const m = (err as { message?: unknown }).message;
    message = m === undefined ? '' : String(m);
    const s = (err as { stack?: unknown }).stack;
    stack = typeof s === 'string' ? s : undefined;
  } catch {
    // A throwing getter: keep what we have.
  }
  return dataWithKeywords(throwableData({ ex: described.ex, message, stack, causes: described.causes }));
}

/** Throwable data ready for printing: `:phase` a keyword, ex-data keys keywords (`:clojure.error/line`). */
export function dataWithKeywords(data: ThrowableData): Record<string, unknown> {
  const out: Record<string, unknown> = { ...data };
  out.via = data.via.map((entry) => {
    if (!entry.data) return entry;
    const exData = new Map(Object.entries(entry.data).map(([k, v]) => [new Keyword(k), v]));
    return { ...entry, data: exData };
  });
  if (data.phase !== undefined) out.phase = new Keyword(data.phase);
  return out;
}

function instant(d: Date): string {
  const time = d.getTime();
  if (Number.isNaN(time)) return ednString('Invalid Date');
  const iso = d.toISOString();
  return /^\d{4}-/.test(iso) ? `#inst ${ednString(iso)}` : ednString(iso);
}

function accessorText(desc: PropertyDescriptor): string {
  if (desc.get && desc.set) return '[Getter/Setter]';
  return desc.get ? '[Getter]' : '[Setter]';
}

function containerName(obj: object): string {
  if (Array.isArray(obj)) return 'Array';
  if (types.isMap(obj)) return 'Map';
  if (types.isSet(obj)) return 'Set';
  return 'Object';
}

/** util.inspect on one line, without calling custom inspectors twice if they throw. */
export function fallbackText(v: unknown): string {
  const options = { colors: false, breakLength: Infinity, depth: 2 };
  try {
    return inspect(v, options);
  } catch {
    try {
      return inspect(v, { ...options, customInspect: false, getters: false });
    } catch (err) {
      return `[unprintable: ${oneLine(err)}]`;
    }
  }
}

function oneLine(err: unknown): string {
  try {
    return (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).replace(/\s*\n\s*/g, ' ');
  } catch {
    return 'error';
  }
}

