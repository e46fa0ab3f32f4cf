/**
 * Completion candidates for a prefix typed at the REPL or sent in an nREPL
 * `completions` request: global names, names from pluggable sources (the
 * REPL conveniences `_ $1 fs …` as the evaluated code sees them,
 * completion-sources.ts; declarations kept outside the global object),
 * members of a bracket-free chain from a global (`process.mem`, `a?.b`) or
 * from a source (`_.na`), members of literals and of built-in results
 * (`'abc'.toUpp`, `'a,b'.split(',').jo`; literal-type.ts), JavaScript
 * keywords; inside `require('`/`import('`/`from '` only module names
 * (module-names.ts).
 *
 * It never evaluates code: the chain is walked with property reads, so
 * `foo().ba` and `store.list()[0].na` complete nothing, a getter that throws gives no candidates, and
 * Proxies (whose traps could hang) are not looked into. Getters are not run
 * while listing members, with one exception: the root's own accessors among
 * the returned globals are read to type them (Node defines `process`, `Buffer`
 * and the web globals as lazy getters), at most {@link GETTER_BUDGET} per call;
 * those named like a built-in module (the REPL's and `node -e`'s `fs`, `http`)
 * are typed `module` unread. It never throws.
 *
 * Listing leaves out keys that are not identifiers (`'a-b'`, array indices),
 * symbols, and the legacy `__proto__`/`__defineGetter__` family unless the
 * typed segment starts with `__`; `constructor` is kept. Arrays longer than
 * {@link BIG_ARRAY} list only `length`; typed arrays list no own keys. Work is
 * bounded: at most 50,000 keys per object and 10,000 matches are considered.
 * Asking V8 for the keys of a huge object costs about 0.5-1 µs per key, so the
 * global object's names come from a cached index (name-index.ts).
 */
import { debug } from '../../log';
import { types } from 'node:util';
import {
  KEYWORDS, MAX_PROTO_DEPTH, IDENTIFIER, builtinModuleNames, findDescriptor, isProxy, kindOf, membersHolder, ownDescriptor, protoOf,
  readProperty, resolvePath, trailingChain,
} from './resolve-path';
import type { Kind } from './resolve-path';
import { prototypeOf, typedMember } from './literal-type';
import { moduleStringCompletions } from '../../shared/module-names';
import { ownNamesMatching } from './name-index';

/** One completion: the full replacement text for the prefix, and what it names. */
export interface Completion {
  candidate: string;
  type: Kind;
}

/** Options for {@link completions}. */
export interface CompletionOptions {
  /** Object whose properties are the globals; default `globalThis`. */
  root?: object;
  /** Names the session declared (top-level `const`, `let`, `class`...), completed like own globals. */
  declared?: Iterable<string>;
  /**
   * Names the evaluated code sees besides the root's properties, with their values: the REPL
   * conveniences (`_`, `$1`, `fs`; see completion-sources.ts), and declarations kept outside the
   * global object (per-ns scopes). Consulted in order; the root's own properties shadow them.
   */
  sources?: readonly CompletionSource[];
  /** The eval's ns (a file or folder), for module names inside `require('`. */
  ns?: string;
  /** Most candidates returned; default {@link DEFAULT_LIMIT}. */
  limit?: number;
}

/** A provider of names the evaluated code sees that are not properties of the root. */
export interface CompletionSource {
  /** The names it provides; called once per completion. */
  names(): Iterable<string>;
  /** The value of one of its names, for members (`_.fo`) and types; `ok: false` if it cannot be had without side effects. */
  value(name: string): { ok: true; value: unknown } | { ok: false };
  /** The kind to show for a name, when known without reading the value. */
  kind?(name: string): Kind | undefined;
}

/** Default for {@link CompletionOptions.limit}. */
export const DEFAULT_LIMIT = 1000;
/** Most root accessors read per call to type their values. */
export const GETTER_BUDGET = 50;
/** Arrays longer than this list only `length` among their own keys. */
export const BIG_ARRAY = 1000;
/** Keys of one object looked at, and matches collected per call, before giving up on the rest. */
const MAX_KEYS_PER_OBJECT = 50_000;
const MAX_MATCHES = 10_000;
const ASCII_IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

const LEGACY = /^__(?:proto__|defineGetter__|defineSetter__|lookupGetter__|lookupSetter__)$/;

/** A matching name before it is typed and sorted. */
interface Found {
  name: string;
  lower: string;
  /** 0 own globals/members and declared names, 1 keywords, then 2 + prototype depth (inherited). */
  tier: number;
  /** The object that has the property as an own key; absent for keywords and names only the session knows. */
  owner?: object;
  kind?: Kind;
}

/**
 * Completion candidates for `prefix`, best first: the name equal to the typed
 * segment, then own properties and session names, keywords, inherited
 * properties (nearer prototypes first); within each, names that match the
 * typed case before those that match only ignoring case, then alphabetical
 * ignoring case. Never throws; returns `[]` when nothing applies.
 */
export function completions(prefix: string, opts: CompletionOptions = {}): Completion[] {
  let text = '';
  try {
    const limit = opts.limit === undefined ? DEFAULT_LIMIT : Math.max(0, Math.floor(Number(opts.limit)) || 0);
    text = String(prefix);
    if (limit === 0) return [];
    const modules = moduleStringCompletions(text, opts.ns, limit);
    if (modules) return modules;
    return chainCompletions(text, opts.root ?? globalThis, opts, limit);
  } catch (err) {
    debug(`completions failed for ${JSON.stringify(text.slice(0, 80))}: ${describe(err)}`);
    return [];
  }
}

function chainCompletions(text: string, root: object, opts: CompletionOptions, limit: number): Completion[] {
  const chain = trailingChain(text);
  if (!chain) {
    // `'abc'.toUpp`, `[1].ma`, `'a'.trim().len`: members of what the text's syntax says the value is.
    const typed = typedMember(text);
    const proto = typed && prototypeOf(typed.type);
    return proto ? listMembers(typed.before, proto, typed.last, true, root, opts, limit) : [];
  }
  const member = chain.path.length > 0;
  const first = chain.path[0];
  let base: { ok: true; value: unknown } | { ok: false };
  if (first !== undefined && !isProxy(root) && !findDescriptor(root, first)) {
    // A name the code sees from a source (`_.fo`, `fs.rea`): start from the source's value.
    const start = sourceValue(opts.sources, first);
    base = start.ok ? resolvePath(start.value, chain.path.slice(1)) : start;
  } else {
    base = resolvePath(root, chain.path);
  }
  if (!base.ok) return [];
  const holder = membersHolder(base.value);
  return listMembers(chain.head + chain.base, holder, chain.last, member, root, opts, limit);
}

function sourceValue(sources: readonly CompletionSource[] | undefined, name: string): { ok: true; value: unknown } | { ok: false } {
  for (const source of sources ?? []) {
    for (const n of source.names()) {
      if (n === name) return source.value(name);
    }
  }
  return { ok: false };
}

/** Candidates `head + name` for the members of `holder` (the globals when `member` is false) matching `typed`. */
function listMembers(
  head: string,
  holder: object | undefined,
  typed: string,
  member: boolean,
  root: object,
  opts: CompletionOptions,
  limit: number,
): Completion[] {
  const lowerTyped = typed.toLowerCase();
  const showLegacy = typed.startsWith('__');
  const found: Found[] = [];
  const seen = new Set<string>();
  const consider = (name: string, tier: number, owner?: object, kind?: Kind): void => {
    if (found.length >= MAX_MATCHES || seen.has(name)) return;
    if (name.length < typed.length || name.slice(0, typed.length).toLowerCase() !== lowerTyped) return;
    seen.add(name);
    if (!(ASCII_IDENTIFIER.test(name) || IDENTIFIER.test(name)) || (!showLegacy && LEGACY.test(name))) return;
    found.push({ name, lower: name.toLowerCase(), tier, owner, kind });
  };

  const considerWords = (): void => {
    for (const name of opts.declared ?? []) if (typeof name === 'string') consider(name, 0, undefined, 'var');
    for (const source of opts.sources ?? []) {
      for (const name of source.names()) if (typeof name === 'string') consider(name, 0, undefined, source.kind?.(name) ?? 'var');
    }
    for (const word of KEYWORDS) consider(word, 1, undefined, 'keyword');
  };
  let current = holder;
  for (let depth = 0; current && depth < MAX_PROTO_DEPTH; depth++) {
    const owner = current;
    // The global object of a big app: its names come from a cached index, not a listing per keystroke.
    const names = (depth === 0 && owner === root && !member && ownNamesMatching(owner, lowerTyped, ownNames)) || ownNames(owner);
    const count = Math.min(names.length, MAX_KEYS_PER_OBJECT);
    for (let i = 0; i < count; i++) consider(names[i] as string, depth === 0 ? 0 : depth + 2, owner);
    // Own names shadow session names and keywords; inherited names do not.
    if (depth === 0 && !member) considerWords();
    current = protoOf(owner);
  }
  // A Proxy root: only what needs no look inside it.
  if (!holder && !member) considerWords();

  found.sort((a, b) => compare(a, b, typed));
  const budget = { getters: GETTER_BUDGET };
  return found.slice(0, limit).map((f) => ({ candidate: head + f.name, type: typeOf(f, member, root, holder, budget) }));
}

function compare(a: Found, b: Found, typed: string): number {
  const exact = Number(b.name === typed) - Number(a.name === typed);
  if (exact !== 0) return exact;
  if (a.tier !== b.tier) return a.tier - b.tier;
  const cased = Number(b.name.startsWith(typed)) - Number(a.name.startsWith(typed));
  if (cased !== 0) return cased;
  if (a.lower !== b.lower) return a.lower < b.lower ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Own string keys worth looking at, without materialising millions of indices. */
function ownNames(obj: object): string[] {
  try {
    if (types.isTypedArray(obj)) return [];
    if ((Array.isArray(obj) || types.isStringObject(obj)) && (obj as { length: number }).length > BIG_ARRAY) return ['length'];
    return Object.getOwnPropertyNames(obj);
  } catch {
    return [];
  }
}

let moduleSet: Set<string> | undefined;
/** Globals of every Node program that share a built-in module's name. */
const GLOBALS_NAMED_LIKE_MODULES = new Set(['process', 'crypto']);
/** Root accessors never read to type them: reading warns when Node runs without a storage file. */
const UNREAD_GLOBALS = new Set(['localStorage', 'sessionStorage']);

function typeOf(f: Found, member: boolean, root: object, holder: object | undefined, budget: { getters: number }): Kind {
  if (f.kind && f.kind !== 'var') return f.kind;
  const owner = f.owner ?? ownerOf(holder, f.name);
  const desc = owner && ownDescriptor(owner, f.name);
  if (!desc) return member ? 'property' : 'var';
  if ('value' in desc) return kindOf(desc.value, member);
  if (member || owner !== root) return member ? 'property' : 'var';
  // An own accessor of the root: Node's lazy globals. Built-in module globals (REPL, `node -e`) stay
  // unread: loading them is slow and some print deprecation warnings.
  moduleSet ??= new Set(builtinModuleNames().filter((name) => !GLOBALS_NAMED_LIKE_MODULES.has(name)));
  if (moduleSet.has(f.name)) return 'module';
  if (UNREAD_GLOBALS.has(f.name) || budget.getters-- <= 0) return 'var';
  const read = readProperty(root, f.name);
  return read.ok ? kindOf(read.value, false) : 'var';
}

function ownerOf(holder: object | undefined, name: string): object | undefined {
  let current = holder;
  for (let depth = 0; current && depth < MAX_PROTO_DEPTH; depth++) {
    if (ownDescriptor(current, name)) return current;
    current = protoOf(current);
  }
  return undefined;
}

function describe(err: unknown): string {
  try {
    return err instanceof Error ? err.message : String(err);
  } catch {
    return 'unprintable error';
  }
}
