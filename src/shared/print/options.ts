/**
 * The `nrepl.middleware.print/*` keys of a request, read into print
 * settings, and the cuts made to printed text (quota, stream chunks). Pure
 * and light — no util.inspect, no printers — so the agent worker, which
 * only needs to know how to frame a value, never loads the printers that
 * run on the main thread (print.ts). Lengths count UTF-16 code units, as
 * the reference counts Java chars, and no cut ever splits a surrogate pair.
 */
/**
 * The printers: util.inspect, JSON.stringify (2-space indent) or String(value);
 * and the prepl's (edn-print.ts): EDN, and `prepl-json` (JSON text holding the
 * inspect text and the value as JSON).
 */
export type PrinterName = 'inspect' | 'json' | 'string' | 'edn' | 'prepl-json';

/**
 * The util.inspect options a client may set. Limits given as nil mean
 * "no limit" and are stored as Infinity, which util.inspect accepts.
 */
export interface InspectLikeOptions {
  depth?: number;
  colors?: boolean;
  compact?: boolean | number;
  breakLength?: number;
  maxArrayLength?: number;
  maxStringLength?: number;
  sorted?: boolean;
  showHidden?: boolean;
  getters?: boolean | 'get' | 'set';
  numericSeparator?: boolean;
}

/** What `printValue` needs: a printer and its options. */
export interface PrintSettings {
  printer: PrinterName;
  options: InspectLikeOptions;
}

/** Print settings of one request, plus what was wrong with its keys. */
export interface ResolvedPrintOptions extends PrintSettings {
  /** `stream?`: send the value as `{value}` chunks, then the rest separately. */
  stream: boolean;
  /** `buffer-size`: chunk size in UTF-16 code units when streaming (default 1024). */
  bufferSize: number;
  /** `quota`: maximum printed length in UTF-16 code units; undefined for none. */
  quota: number | undefined;
  /** One sentence per unusable key or value (its default was used instead). */
  problems: string[];
}

/** Default chunk size for streamed values, as in the reference. */
export const DEFAULT_BUFFER_SIZE = 1024;


const KEY = 'nrepl.middleware.print/';

/**
 * The reference truthiness of request flags (`stream?`, `verbose?`): absent,
 * undefined, null or the empty list (bencode's nil) is false; anything else,
 * even `"false"` or `0`, is true.
 */
export function isTruthy(v: unknown): boolean {
  return v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0);
}

// Printer names clients send (read from CIDER's cider--print-fn, Calva's
// printer.ts, Conjure's print_function default, vim-fireplace, iced, and
// nREPL's own nrepl.util.print). pr-style names and our own keep
// util.inspect's defaults. pprint-style names break a value across lines only
// when it does not fit the width, as clojure.pprint does at its default
// right-margin of 72: `[ 1, 2, 3 ]` stays on one line.
const PPRINT: InspectLikeOptions = Object.freeze({ compact: 3, breakLength: 72 });
const PR_NAMES = ['cider.nrepl.pprint/pr', 'clojure.core/pr', 'clojure.core/prn', 'nrepl.util.print/pr'];
/** Every pprint-style name; exported for the README's list and the conversation test. */
export const PPRINT_NAMES: readonly string[] = [
  'cider.nrepl.pprint/pprint', // Calva, Conjure, iced; cider-nrepl >= 0.61 points it at orchard-pprint
  'cider.nrepl.pprint/clojure-pprint', // CIDER's default (cider-print-fn 'pprint)
  'cider.nrepl.pprint/orchard-pprint',
  'cider.nrepl.pprint/puget-pprint',
  'cider.nrepl.pprint/fipp-pprint', // also vim-fireplace
  'cider.nrepl.pprint/zprint',
  'cider.nrepl.pprint/zprint-pprint', // CIDER and Calva for zprint
  'clojure.pprint/pprint',
  'nrepl.util.print/pprint',
];
const PRINTERS: ReadonlyMap<string, { printer: PrinterName; options?: InspectLikeOptions }> = new Map([
  // edn, prepl-json: the prepl's printers (edn-print.ts); nREPL clients may ask for EDN values too.
  ...(['inspect', 'json', 'string', 'edn', 'prepl-json'] as const).flatMap((p) => [
    [p, { printer: p }],
    [`nrepl-ts/${p}`, { printer: p }],
  ] as const),
  ...PR_NAMES.map((name) => [name, { printer: 'inspect' }] as const),
  ...PPRINT_NAMES.map((name) => [name, { printer: 'inspect', options: PPRINT }] as const),
]);

type OptionKind = 'limit' | 'width' | 'flag' | 'compact' | 'getters';

// Option keys by the util.inspect option they set. Aliases are the keys CIDER
// and Calva send for pprint/fipp/puget/zprint; an inspect name wins over them.
const OPTION_KEYS: ReadonlyArray<[keyof InspectLikeOptions, OptionKind, readonly string[]]> = [
  ['depth', 'limit', ['level', 'print-level', 'print-depth', 'max-depth']],
  ['breakLength', 'width', ['right-margin', 'width']],
  ['maxArrayLength', 'limit', ['length', 'print-length', 'seq-limit', 'max-length']],
  ['maxStringLength', 'limit', []],
  ['colors', 'flag', []],
  ['compact', 'compact', []],
  ['sorted', 'flag', []],
  ['showHidden', 'flag', []],
  ['getters', 'getters', []],
  ['numericSeparator', 'flag', []],
];

const NIL_WORDS = new Set(['nil', 'null']);
const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off', '']);

/**
 * Reads the `nrepl.middleware.print/*` keys of a request. Never throws: an
 * unusable key or value leaves its default and adds a sentence to
 * `problems`, for the caller to send as `nrepl.middleware.print/error`.
 *
 * - `print`: one of the names in PRINTERS; nil or `0` (Calva's null) means
 *   the default, anything else unknown gives `Couldn't resolve printer <name>`.
 * - `options`: a dict; see `readOption` for the value forms. Unknown keys are ignored.
 * - `stream?`: the reference truthiness (`isTruthy`).
 * - `buffer-size`, `quota`: non-negative integers (or their decimal strings).
 *   0 or nil means the default (1024 / no quota), since Calva sends null as `0`
 *   and an empty value would help nobody.
 */
export function resolvePrintOptions(request: Record<string, unknown>): ResolvedPrintOptions {
  const problems: string[] = [];
  let printer: PrinterName = 'inspect';
  let options: InspectLikeOptions = { colors: false };

  const name = text(request[`${KEY}print`]);
  if (name !== undefined && name !== 0 && !isNil(name)) {
    const found = typeof name === 'string' ? PRINTERS.get(name) : undefined;
    if (found) {
      printer = found.printer;
      options = { ...options, ...found.options };
    } else {
      problems.push(`Couldn't resolve printer ${typeof name === 'string' ? name : describeInput(name)}`);
    }
  }

  const given = request[`${KEY}options`];
  if (isPlainDict(given)) {
    for (const [target, kind, aliases] of OPTION_KEYS) {
      const key = [target, ...aliases].find((k) => Object.hasOwn(given, k));
      if (key === undefined) continue;
      const value = readOption(kind, text(given[key]));
      if (value === undefined) {
        problems.push(`Invalid print option ${key}: ${EXPECTED[kind]}, got ${describeInput(given[key])}`);
      } else if (value !== SKIP) {
        (options as Record<string, unknown>)[target] = value;
      }
    }
  } else if (given !== undefined && given !== 0 && !isNil(given)) {
    problems.push(`Invalid ${KEY}options: expected a dict, got ${describeInput(given)}`);
  }

  const count = (key: string, fallback: number | undefined): number | undefined => {
    const raw = text(request[KEY + key]);
    if (raw === undefined || isNil(raw)) return fallback;
    const n = integer(raw);
    if (n === undefined) {
      problems.push(`Invalid ${KEY}${key}: expected a non-negative integer, got ${describeInput(raw)}`);
      return fallback;
    }
    return n === 0 ? fallback : n;
  };
  const bufferSize = count('buffer-size', DEFAULT_BUFFER_SIZE) ?? DEFAULT_BUFFER_SIZE;
  const quota = count('quota', undefined);

  return { printer, options, stream: isTruthy(request[`${KEY}stream?`]), bufferSize, quota, problems };
}

const SKIP = Symbol('skip');

/**
 * One option value, or undefined when unusable, or SKIP to keep the default.
 * - limits (`depth`, `maxArrayLength`, `maxStringLength`): integers >= 0;
 *   nil (empty list, "nil", "null") or "Infinity" means unlimited (Infinity),
 *   as a nil `*print-level*`/`*print-length*` does in Clojure.
 * - width (`breakLength`): the same, except 0 keeps the default (Calva's null).
 * - flags: `1`/`0`, "true"/"false" (also "1"/"0", "yes"/"no", "on"/"off") or
 *   booleans; nil is false. Unlike request flags, "false" here means false.
 * - `compact`: a flag, or an integer >= 2 (util.inspect's number form).
 * - `getters`: a flag, or "get"/"set".
 */
function readOption(kind: OptionKind, v: unknown): unknown {
  if (kind === 'limit' || kind === 'width') {
    if (isNil(v) || v === 'Infinity' || v === Infinity) return Infinity;
    const n = integer(v);
    return kind === 'width' && n === 0 ? SKIP : n;
  }
  if (kind === 'compact') {
    const n = integer(v);
    if (n !== undefined && n >= 2) return n;
  }
  if (kind === 'getters' && (v === 'get' || v === 'set')) return v;
  if (typeof v === 'boolean') return v;
  if (isNil(v) || v === 0) return false;
  if (v === 1) return true;
  if (typeof v !== 'string') return undefined;
  const word = v.toLowerCase();
  return TRUE_WORDS.has(word) ? true : FALSE_WORDS.has(word) ? false : undefined;
}

const EXPECTED: Record<OptionKind, string> = {
  limit: 'expected a non-negative integer or nil for no limit',
  width: 'expected a non-negative integer or nil for no limit',
  flag: 'expected true or false',
  compact: 'expected true, false or an integer >= 2',
  getters: 'expected true, false, "get" or "set"',
};

/** Bencode byte strings kept raw (`-unencoded`) arrive as Buffers; read them as UTF-8. */
function text(v: unknown): unknown {
  return Buffer.isBuffer(v) ? v.toString('utf8') : v;
}

function isNil(v: unknown): boolean {
  return v === null || (Array.isArray(v) && v.length === 0) || (typeof v === 'string' && NIL_WORDS.has(v));
}

function integer(v: unknown): number | undefined {
  if (typeof v === 'string' && /^\d{1,15}$/.test(v)) return Number(v);
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined;
}

function isPlainDict(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);
}

function describeInput(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  // Only for the text of a problem: node:util is loaded then, never to read options.
  const { inspect } = require('node:util') as typeof import('node:util');
  return inspect(v, { depth: 1, breakLength: Infinity, colors: false });
}

/**
 * Cuts `text` to at most `quota` UTF-16 code units (the reference counts
 * chars), one less when the cut would split a surrogate pair. No quota
 * (undefined, NaN or Infinity) leaves the text whole; a negative one is 0.
 * Nothing is appended: the caller signals `truncated` with a status.
 */
export function applyQuota(text: string, quota: number | undefined): { text: string; truncated: boolean } {
  if (quota === undefined || !(quota < text.length)) return { text, truncated: false };
  const end = cutPoint(text, Math.max(0, Math.floor(quota)));
  return { text: text.slice(0, end), truncated: true };
}

/**
 * Splits `text` into chunks of at most `size` UTF-16 code units for
 * streamed values, in order, never splitting a surrogate pair (a chunk ends
 * one early instead; with size 1 a pair is a 2-unit chunk). Sizes below 1
 * (or NaN) count as 1. Always returns at least one chunk: `''` gives `['']`.
 */
export function chunk(text: string, size: number): string[] {
  const step = size >= 1 ? Math.floor(size) : 1;
  if (text.length <= step) return [text];
  const chunks: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = cutPoint(text, Math.min(start + step, text.length));
    if (end === start) end = start + 2; // size 1 at a surrogate pair
    chunks.push(text.slice(start, end));
    start = end;
  }
  return chunks;
}

/** `at`, or `at - 1` when text[at - 1] and text[at] are the halves of one pair. */
function cutPoint(text: string, at: number): number {
  if (at <= 0 || at >= text.length) return at;
  return isPairAt(text, at - 1) ? at - 1 : at;
}

/** Whether text[at] and text[at + 1] are the two halves of one surrogate pair (never cut between them). */
export function isPairAt(text: string, at: number): boolean {
  return isPair(text.charCodeAt(at), text.charCodeAt(at + 1));
}

/** Whether two UTF-16 code units are a high and a low surrogate, one character. */
export function isPair(high: number, low: number): boolean {
  return high >= 0xd800 && high <= 0xdbff && low >= 0xdc00 && low <= 0xdfff;
}
