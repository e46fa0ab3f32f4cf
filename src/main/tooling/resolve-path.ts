/**
 * Shared by complete.ts and lookup.ts: reads identifier chains such as
 * `process.versions.node` or `a?.b` out of editor text, walks them from a root
 * object with plain property reads, and tells what kind of thing a value is.
 *
 * It never evaluates code and never calls functions other than getters met
 * while walking (the same reads the user's code would do). Proxies are
 * opaque: their traps are user code that may throw, hang or log, so no trap is
 * ever run (walking stops at a Proxy, and its keys are not listed). Every
 * export returns a result instead of throwing.
 */
import { builtinModules, isBuiltin } from 'node:module';
import { types } from 'node:util';

/** What completions and lookups call a value. */
export type Kind = 'function' | 'class' | 'method' | 'property' | 'var' | 'module' | 'keyword';

const ID_START = '[\\p{ID_Start}$_]';
const ID_PART = '[\\p{ID_Continue}$\\u200C\\u200D]';
const IDENT = `${ID_START}${ID_PART}*`;
/** A whole identifier name (also true for reserved words, which are valid property names). */
export const IDENTIFIER = new RegExp(`^${IDENT}$`, 'u');
/** A chain at the end of the text: `a.b?.c` followed by an unfinished `.x`, `?.` or nothing. */
const TRAILING_CHAIN = new RegExp(`(?:${IDENT}(?:\\?\\.|\\.))*${ID_PART}*$`, 'u');
/** A character that, right before a chain, makes it a member of something we cannot resolve (`f().x`, `'s'.x`, `0x1f`). */
const BLOCKS_CHAIN = new RegExp(`[.)\\]'"\`#\\\\]|${ID_PART}`, 'u');
const SEPARATOR = /\?\.|\./;
const STARTS_IDENT = new RegExp(`^${ID_START}`, 'u');
/** Longest chain text looked at (a longer chain is cut at its start). */
const MAX_CHAIN_TEXT = 1000;

/** JavaScript reserved words plus the contextual keywords worth completing, each with a one-line doc. */
export const KEYWORD_DOCS: Readonly<Record<string, string>> = {
  async: 'async function/arrow/method: returns a Promise and may use await.',
  await: 'await expr: waits for a Promise inside async code (and at the REPL top level).',
  break: 'break [label]: leaves the innermost loop or switch (or the labelled statement).',
  case: 'case value: a branch of a switch, compared with ===.',
  catch: 'catch (err) { }: handles an exception thrown in the try block.',
  class: 'class Name [extends Base] { }: declares a class.',
  const: 'const name = value: declares a block-scoped binding that cannot be reassigned.',
  continue: 'continue [label]: skips to the next iteration of a loop.',
  debugger: 'debugger: pauses here when a debugger is attached.',
  default: 'default: the switch branch taken when no case matches; also export default.',
  delete: 'delete obj.key: removes a property from an object.',
  do: 'do { } while (cond): a loop whose body runs at least once.',
  else: 'else: the branch of an if taken when the condition is falsy.',
  export: 'export: makes a module binding visible to importers.',
  extends: 'class A extends B: makes A a subclass of B.',
  false: 'false: the boolean false.',
  finally: 'finally { }: runs after try/catch whether or not an exception was thrown.',
  for: 'for (init; cond; step), for (const k in obj), for (const v of iterable): loops.',
  function: 'function name(params) { }: declares a function.',
  if: 'if (cond) { } else { }: runs a branch when the condition is truthy.',
  import: "import x from 'mod', import('mod'): loads a module.",
  in: "'key' in obj: true when obj or its prototypes have the property.",
  instanceof: 'obj instanceof C: true when C.prototype is on the prototype chain of obj.',
  let: 'let name = value: declares a block-scoped, reassignable binding.',
  new: 'new C(args): creates an instance of a class or constructor function.',
  null: 'null: the intentional absence of an object value.',
  of: 'for (const v of iterable): iterates the values of an iterable.',
  return: 'return [value]: leaves the function with a value.',
  static: 'static: declares a class member on the class itself, or a static initialization block.',
  super: 'super(args), super.method(): the parent class constructor and methods.',
  switch: 'switch (value) { case ...: }: branches on a value compared with ===.',
  this: 'this: the object a function was called on (lexical in arrows).',
  throw: 'throw value: raises an exception.',
  true: 'true: the boolean true.',
  try: 'try { } catch (err) { } finally { }: handles exceptions.',
  typeof: "typeof value: the type name as a string ('number', 'object', 'function'...).",
  var: 'var name = value: declares a function-scoped binding.',
  void: 'void expr: evaluates expr and gives undefined.',
  while: 'while (cond) { }: loops while the condition is truthy.',
  with: 'with (obj) { }: adds obj to the scope chain (not allowed in strict mode).',
  yield: 'yield value: produces a value from a generator function.',
};

/** The keywords, for completion. */
export const KEYWORDS: readonly string[] = Object.keys(KEYWORD_DOCS);

/** An identifier chain split at its dots. */
export interface Chain {
  /** Text before the chain that is kept as is in candidates (`!` in `!process.mem`). */
  head: string;
  /** Complete segments before the last separator (`['process', 'versions']`). */
  path: string[];
  /** The unfinished last segment (`no`), possibly empty after a trailing dot. */
  last: string;
  /** The chain text up to and including the last separator (`process.versions.`). */
  base: string;
}

/**
 * Finds the identifier chain that ends `text`, or `undefined` when the text
 * ends in something that is not a bracket-free chain from a global
 * (`foo().ba`, `a[0].b`, `'x'.len`) or in no chain at all.
 */
export function trailingChain(text: string): Chain | undefined {
  // Only the end matters; bounding the scanned text keeps the regex linear-ish.
  const start = Math.max(0, text.length - MAX_CHAIN_TEXT);
  const match = TRAILING_CHAIN.exec(text.slice(start));
  if (!match) return undefined;
  const chain = match[0];
  const head = text.slice(0, start + match.index);
  if (chain === '' && head !== '') return undefined;
  if (head !== '' && BLOCKS_CHAIN.test(head[head.length - 1] as string)) return undefined;
  const parts = chain.split(SEPARATOR);
  const last = parts.pop() as string;
  if (last !== '' && !STARTS_IDENT.test(last)) return undefined;
  return { head, path: parts, last, base: chain.slice(0, chain.length - last.length) };
}

/** Splits a whole symbol (`process.versions.node`, `a?.b`) into segments, or `undefined` if it is not a chain. */
export function parseSymbol(symbol: string): string[] | undefined {
  const parts = symbol.trim().split(SEPARATOR);
  return parts.every((p) => IDENTIFIER.test(p)) ? parts : undefined;
}

/** True for Proxies, checked without running any trap. */
export function isProxy(value: unknown): boolean {
  return types.isProxy(value);
}

/** True when `value` is an object or function we may inspect (not null, not a Proxy). */
export function isInspectable(value: unknown): value is object {
  return ((typeof value === 'object' && value !== null) || typeof value === 'function') && !isProxy(value);
}

/** Reads `obj[key]` the way `obj.key` would; `ok: false` when it throws, `obj` is nullish, or `obj` is a Proxy. */
export function readProperty(obj: unknown, key: string): { ok: true; value: unknown } | { ok: false } {
  if (obj === null || obj === undefined || isProxy(obj)) return { ok: false };
  try {
    return { ok: true, value: (obj as Record<string, unknown>)[key] };
  } catch {
    return { ok: false };
  }
}

/** Walks `path` from `root` with property reads; `ok: false` if any step fails or lands on a Proxy. */
export function resolvePath(root: unknown, path: readonly string[]): { ok: true; value: unknown } | { ok: false } {
  let value = root;
  for (const key of path) {
    const step = readProperty(value, key);
    if (!step.ok) return step;
    value = step.value;
  }
  return { ok: true, value };
}

/** How far up a prototype chain lookups and completions go. */
export const MAX_PROTO_DEPTH = 64;

/** The object whose keys describe `value`'s members: primitives are boxed; `undefined` for nullish values and Proxies. */
export function membersHolder(value: unknown): object | undefined {
  if (value === null || value === undefined) return undefined;
  const holder: unknown = typeof value === 'object' || typeof value === 'function' ? value : Object(value);
  return isInspectable(holder) ? holder : undefined;
}

/** The next prototype, or `undefined` at the end, at a Proxy, or if the lookup throws. */
export function protoOf(obj: object): object | undefined {
  try {
    const proto = Object.getPrototypeOf(obj) as unknown;
    return isInspectable(proto) ? proto : undefined;
  } catch {
    return undefined;
  }
}

/** An own property descriptor, or `undefined` if absent or if asking throws (module namespace TDZ). */
export function ownDescriptor(obj: object, key: string): PropertyDescriptor | undefined {
  try {
    return Object.getOwnPropertyDescriptor(obj, key);
  } catch {
    return undefined;
  }
}

/** Finds `key` on `obj` or its prototypes without running traps; `depth` 0 means own. */
export function findDescriptor(obj: object, key: string): { desc: PropertyDescriptor; depth: number } | undefined {
  let current: object | undefined = obj;
  for (let depth = 0; current && depth < MAX_PROTO_DEPTH; depth++) {
    const desc = ownDescriptor(current, key);
    if (desc) return { desc, depth };
    current = protoOf(current);
  }
  return undefined;
}

/**
 * Class-like functions have a non-writable `prototype`: true for `class`
 * syntax and for built-in constructors (Map, Promise, Error), false for plain
 * `function` constructors (Buffer, EventEmitter), arrows, methods and
 * generators.
 */
export function isClassLike(fn: unknown): boolean {
  if (typeof fn !== 'function' || isProxy(fn)) return false;
  const desc = ownDescriptor(fn, 'prototype');
  return desc !== undefined && 'value' in desc && desc.writable === false;
}

/** The kind of a value found as a global (`member` false) or as a member of an object (`member` true). */
export function kindOf(value: unknown, member: boolean): Kind {
  if (typeof value === 'function') return isClassLike(value) ? 'class' : member ? 'method' : 'function';
  return member ? 'property' : 'var';
}

export { builtinModuleNames } from '../../shared/module-names';
