/**
 * The type of the expression before a trailing `.name` when it can be known
 * from the text alone, for completing members of literals and of what
 * built-in methods return: `'abc'.toUpp`, `[1, 2].ma`, `1.5.toF`, `/x/g.te`,
 * `({a: 1}).has`, `'a,b'.split(',').jo`, `Object.keys(x).fi`, `new Map().se`.
 *
 * Nothing is evaluated and no function is called: a literal's type comes
 * from its syntax, a call's from a fixed table of what built-in methods
 * return (`trim` of a string is a string, `map` of an array an array). A call
 * of anything else (`store.list()[0].na`) or an index (`arr[0].x`) has no
 * known type, and completes nothing rather than guess.
 *
 * Pure text scanning, bounded to the last {@link MAX_TEXT} characters; never
 * throws.
 */

/** The types this module can name. */
export type LiteralType = 'string' | 'number' | 'bigint' | 'boolean' | 'array' | 'regexp' | 'object' | `new ${string}`;

/** A typed trailing member access: `text` = `before` + `last`, completions replace `last`. */
export interface TypedMember {
  /** Text up to and including the final `.` or `?.`. */
  before: string;
  /** The unfinished member name (may be empty). */
  last: string;
  type: LiteralType;
}

const MAX_TEXT = 2_000;
const ID = String.raw`[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*`;
const TRAILING_MEMBER = new RegExp(String.raw`(\?\.|\.)([\p{ID_Continue}$\u200c\u200d]*)$`, 'u');
const ID_AT_END = new RegExp(String.raw`(?:${ID}\s*\.\s*)*${ID}$`, 'u');
const ID_CHAR = /[\p{ID_Continue}$\u200c\u200d]/u;

const STRING_TO_STRING = [
  'at', 'charAt', 'concat', 'normalize', 'padEnd', 'padStart', 'repeat', 'replace', 'replaceAll', 'slice', 'substring', 'substr',
  'toLowerCase', 'toUpperCase', 'toLocaleLowerCase', 'toLocaleUpperCase', 'trim', 'trimStart', 'trimEnd', 'toString', 'valueOf', 'toWellFormed',
];
const ARRAY_TO_ARRAY = ['concat', 'filter', 'flat', 'flatMap', 'map', 'slice', 'splice', 'toReversed', 'toSorted', 'toSpliced', 'with', 'reverse', 'sort', 'fill', 'copyWithin'];
const TO_NUMBER = ['indexOf', 'lastIndexOf'];
const all = (names: readonly string[], type: LiteralType): Record<string, string> => Object.fromEntries(names.map((m) => [m, type]));

/** What a call of a built-in method returns, by the receiver's type. */
const RETURNS: Partial<Record<LiteralType, Readonly<Record<string, string>>>> = {
  string: {
    ...all(STRING_TO_STRING, 'string'),
    split: 'array',
    ...all([...TO_NUMBER, 'charCodeAt', 'codePointAt', 'localeCompare', 'search'], 'number'),
    ...all(['includes', 'startsWith', 'endsWith', 'isWellFormed'], 'boolean'),
  },
  array: {
    ...all(ARRAY_TO_ARRAY, 'array'),
    join: 'string',
    toString: 'string',
    ...all([...TO_NUMBER, 'findIndex', 'findLastIndex', 'push', 'unshift'], 'number'),
    ...all(['includes', 'some', 'every'], 'boolean'),
  },
  number: all(['toFixed', 'toPrecision', 'toExponential', 'toString', 'toLocaleString'], 'string'),
  bigint: { toString: 'string', toLocaleString: 'string' },
  boolean: { toString: 'string' },
  regexp: { test: 'boolean', toString: 'string' },
  object: { toString: 'string', hasOwnProperty: 'boolean', toLocaleString: 'string' },
};

/** Properties (not calls) of known type. */
const PROPERTIES: Partial<Record<LiteralType, Readonly<Record<string, string>>>> = {
  string: { length: 'number' },
  array: { length: 'number' },
  regexp: { source: 'string', flags: 'string', lastIndex: 'number', global: 'boolean' },
};

/** What calls of global functions return. */
const STATIC_RETURNS: Record<string, LiteralType> = {
  String: 'string', Number: 'number', Boolean: 'boolean', BigInt: 'bigint', parseInt: 'number', parseFloat: 'number',
  encodeURIComponent: 'string', decodeURIComponent: 'string', encodeURI: 'string', decodeURI: 'string',
  'Object.keys': 'array', 'Object.values': 'array', 'Object.entries': 'array', 'Object.getOwnPropertyNames': 'array',
  'Array.from': 'array', 'Array.of': 'array', 'JSON.stringify': 'string', 'Date.now': 'number', 'String.raw': 'string',
  'Number.parseInt': 'number', 'Number.parseFloat': 'number', 'Math.random': 'number', 'Math.floor': 'number', 'Math.round': 'number',
  'Math.max': 'number', 'Math.min': 'number', 'Math.abs': 'number', 'Math.ceil': 'number', 'Math.sqrt': 'number', 'Math.trunc': 'number',
};

/** Constructors whose instances `new X(…)` completes. */
export const CONSTRUCTORS = ['Date', 'Map', 'Set', 'WeakMap', 'WeakSet', 'URL', 'URLSearchParams', 'Error', 'Array', 'Object', 'Promise', 'RegExp', 'AbortController', 'TextEncoder', 'TextDecoder'];

/** The typed member access that ends `text`, or undefined when the type before the dot is not known. */
export function typedMember(text: string): TypedMember | undefined {
  try {
    const tail = text.length > MAX_TEXT ? text.slice(text.length - MAX_TEXT) : text;
    const match = TRAILING_MEMBER.exec(tail);
    if (!match) return undefined;
    const dotAt = tail.length - match[0].length;
    const type = typeEndingAt(tail, dotAt, 0);
    if (!type) return undefined;
    return { before: text.slice(0, text.length - (match[2] as string).length), last: match[2] as string, type };
  } catch {
    return undefined;
  }
}

/** The type of the expression ending just before `end` in `text`, if known. */
function typeEndingAt(text: string, end: number, depth: number): LiteralType | undefined {
  if (depth > 20) return undefined;
  let e = end;
  while (e > 0 && /\s/.test(text[e - 1] as string)) e--;
  if (e === 0) return undefined;
  const before = text.slice(0, e);
  const ch = text[e - 1] as string;

  if (/(?:^|[=(,:;!&|?{}[\s])\/(?:\\.|[^/\\\n])+\/[dgimsuyv]*$/.test(before) && !/[\w$)\]]\s*\/(?:\\.|[^/\\\n])+\/[dgimsuyv]*$/.test(before)) return 'regexp';
  if (ch === "'" || ch === '"' || ch === '`') return openingQuote(text, e - 1) >= 0 ? 'string' : undefined;
  if (/(?<![\p{ID_Continue}$.])(?:\d[\d_]*\.\d*(?:e[+-]?\d+)?|\.\d+|\d[\d_]*e[+-]?\d+|0[xob][\da-f_]+)$/iu.test(before)) {
    // `0x1F.` is not a number then a dot in JS (`0x1F.toString` is a syntax error), so only decimals with a point or exponent.
    return /0[xob][\da-f_]+$/i.test(before) ? undefined : 'number';
  }
  if (/(?<![\p{ID_Continue}$.])\d[\d_]*n$/u.test(before)) return 'bigint';
  if (/(?<![\p{ID_Continue}$.])(?:true|false)$/u.test(before)) return 'boolean';
  if (ch === ']') {
    const open = matchingOpen(text, e - 1, '[', ']');
    if (open < 0) return undefined;
    const prev = previousChar(text, open);
    // After a value (`a[0]`, `f()[0]`, `'s'[0]`) it is an index: the element's type is not known.
    return prev !== undefined && (ID_CHAR.test(prev) || ')]\'"`'.includes(prev)) ? undefined : 'array';
  }
  if (ch === ')') {
    const open = matchingOpen(text, e - 1, '(', ')');
    if (open < 0) return undefined;
    const head = text.slice(0, open).trimEnd();
    const callee = ID_AT_END.exec(head);
    if (!callee) {
      const prev = previousChar(text, open);
      if (prev === ')' || prev === ']') return undefined; // f(a)(b), a[0](b): a call of an unknown value
      const inner = text.slice(open + 1, e - 1).trim();
      if (/^\{[\s\S]*\}$/.test(inner)) return 'object';
      return inner === '' ? undefined : wholeType(inner, depth);
    }
    const chainText = callee[0].replace(/\s+/g, '');
    const calleeStart = head.length - callee[0].length;
    if (/(?:^|[^\p{ID_Continue}$.])new\s+$/u.test(text.slice(0, calleeStart)) && CONSTRUCTORS.includes(chainText)) return `new ${chainText}`;
    const parts = chainText.split('.');
    const name = parts[parts.length - 1] as string;
    const charBefore = previousChar(text, calleeStart);
    if (parts.length === 1 && charBefore === '.') {
      // `<expr>.name(...)`: a method of a typed receiver.
      const receiver = typeEndingAt(text, text.lastIndexOf('.', calleeStart - 1), depth + 1);
      return receiver && (lookupIn(RETURNS[receiver], name) as LiteralType | undefined);
    }
    if (charBefore === '.') return undefined;
    return Object.hasOwn(STATIC_RETURNS, chainText) ? STATIC_RETURNS[chainText] : undefined;
  }
  if (ID_CHAR.test(ch)) {
    // `<typed>.length`: a known property of a typed receiver.
    const id = new RegExp(`${ID}$`, 'u').exec(before);
    if (!id) return undefined;
    const idStart = e - id[0].length;
    let d = idStart;
    while (d > 0 && /\s/.test(text[d - 1] as string)) d--;
    if (text[d - 1] !== '.') return undefined;
    const receiver = typeEndingAt(text, d - 1, depth + 1);
    return receiver && (lookupIn(PROPERTIES[receiver], id[0]) as LiteralType | undefined);
  }
  return undefined;
}

/** The type of `inner` when the whole of it is one typed expression (`(1)`, `('a' + 'b')` is not). */
function wholeType(inner: string, depth: number): LiteralType | undefined {
  if (/^\d[\d_]*$/.test(inner)) return 'number';
  const type = typeEndingAt(inner, inner.length, depth + 1);
  if (!type) return undefined;
  // Only when the typed expression is all of it: `(a + 'b')` is not known to be a string.
  if (/^(?:'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"|`(?:\\.|[^`\\])*`|\[[\s\S]*\]|\/(?:\\.|[^/\\\n])+\/[a-z]*|[\d_.e+-]+n?|true|false)$/i.test(inner)) return type;
  return undefined;
}

/** Index of the quote that opens the string literal closed at `close`, or -1. */
function openingQuote(text: string, close: number): number {
  const q = text[close] as string;
  for (let i = close - 1; i >= 0; i--) {
    if (text[i] !== q) continue;
    let slashes = 0;
    for (let j = i - 1; j >= 0 && text[j] === '\\'; j--) slashes++;
    if (slashes % 2 === 0) return i;
  }
  return -1;
}

/** Index of the bracket that opens the one closed at `close`, skipping string literals; -1 if unbalanced. */
function matchingOpen(text: string, close: number, open: string, shut: string): number {
  let depth = 0;
  for (let i = close; i >= 0; i--) {
    const c = text[i] as string;
    if (c === "'" || c === '"' || c === '`') {
      const start = openingQuote(text, i);
      if (start < 0) return -1;
      i = start;
      continue;
    }
    if (c === shut) depth++;
    else if (c === open && --depth === 0) return i;
  }
  return -1;
}

/** Own entries only: `toString` must not find Object.prototype's. */
function lookupIn(table: Readonly<Record<string, string>> | undefined, key: string): string | undefined {
  return table && Object.hasOwn(table, key) ? table[key] : undefined;
}

function previousChar(text: string, at: number): string | undefined {
  for (let i = at - 1; i >= 0; i--) if (!/\s/.test(text[i] as string)) return text[i];
  return undefined;
}

/** The object whose members a value of `type` has, in this realm. */
export function prototypeOf(type: LiteralType): object | undefined {
  switch (type) {
    case 'string':
      return String.prototype;
    case 'number':
      return Number.prototype;
    case 'bigint':
      return BigInt.prototype;
    case 'boolean':
      return Boolean.prototype;
    case 'array':
      return Array.prototype;
    case 'regexp':
      return RegExp.prototype;
    case 'object':
      return Object.prototype;
    default: {
      const name = type.slice(4);
      if (!CONSTRUCTORS.includes(name)) return undefined;
      const ctor = (globalThis as Record<string, unknown>)[name];
      const proto = typeof ctor === 'function' ? Object.getOwnPropertyDescriptor(ctor, 'prototype')?.value : undefined;
      return typeof proto === 'object' && proto !== null ? proto : undefined;
    }
  }
}
