/**
 * What a symbol or property chain is, for nREPL `lookup` and cider-style
 * `info`/`eldoc`: its kind, the parameter list of functions, where a
 * user-defined function is written, a one-line doc, and a short printed value.
 *
 * The chain is walked with property reads as in complete.ts: no code is
 * evaluated, getters on the way run, Proxies are not looked into. What a
 * function's source says (parameters, location, doc comment) comes from
 * function-source.ts. Keywords and Node built-in module names are known
 * without a root. Never throws: failures give less information, an unknown
 * symbol gives `undefined`.
 */
import { inspect, types } from 'node:util';
import { debug } from '../../log';
import { definition, functionLocation, parameters } from './function-source';
import {
  KEYWORD_DOCS, builtinModuleNames, findDescriptor, isInspectable, isProxy, kindOf, membersHolder, ownDescriptor,
  parseSymbol, readProperty, resolvePath, type Kind,
} from './resolve-path';

/** What {@link lookup} knows about a symbol; absent keys are unknown. */
export interface LookupInfo {
  /** The symbol as asked (the full chain). */
  name: string;
  type: Kind;
  /** Parameter list of a function, or of a class's constructor: `(a, b = 1, ...rest)`. */
  'arglists-str'?: string;
  /** The same as a one-element list (JavaScript has no overloads). */
  arglists?: string[];
  /** Absolute path (from a file:// URL) or the script name given to vm. */
  file?: string;
  /** 1-based line of the definition's start. */
  line?: number;
  /** 1-based column of the definition's start. */
  column?: number;
  /** One line: the first sentence of the JSDoc comment right above the definition, else a signature or type. */
  doc?: string;
  /** `util.inspect` of non-function values, at most {@link VALUE_MAX} characters. */
  value?: string;
}

/** Options for {@link lookup}. */
export interface LookupOptions {
  /** Object whose properties are the globals; default `globalThis`. */
  root?: object;
}

/** Longest `value` string. */
export const VALUE_MAX = 200;
const MODULE_SPEC = /^(?:(?:require|import)\s*\(\s*)?(['"`]?)([\w:/.-]+)\1\s*\)?$/;

/** Looks up `symbol` (`process.memoryUsage`, `Map`, `const`, `node:fs`); `undefined` when it names nothing. */
export async function lookup(symbol: string, opts: LookupOptions = {}): Promise<LookupInfo | undefined> {
  let text = '';
  try {
    text = String(symbol).trim();
    const path = parseSymbol(text);
    const found = path && (await describeChain(text, path, opts.root ?? globalThis));
    if (found) return found;
    if (Object.hasOwn(KEYWORD_DOCS, text)) return { name: text, type: 'keyword', doc: KEYWORD_DOCS[text] };
    const spec = MODULE_SPEC.exec(text)?.[2];
    if (spec && builtinModuleNames().includes(spec)) {
      return { name: spec, type: 'module', doc: `Node.js built-in module ${spec.startsWith('node:') ? spec : `node:${spec}`}` };
    }
    return undefined;
  } catch (err) {
    debug(`lookup failed for ${JSON.stringify(text.slice(0, 80))}: ${err instanceof Error ? err.message : 'non-error'}`);
    return undefined;
  }
}

async function describeChain(name: string, path: string[], root: object): Promise<LookupInfo | undefined> {
  const parent = resolvePath(root, path.slice(0, -1));
  if (!parent.ok) return undefined;
  const key = path[path.length - 1] as string;
  const holder = membersHolder(parent.value);
  if (!holder || !findDescriptor(holder, key)) return undefined;
  const member = path.length > 1;
  const read = readProperty(parent.value, key);
  if (!read.ok) return { name, type: member ? 'property' : 'var', doc: `${name}: a getter that throws` };
  const value = read.value;
  const type = kindOf(value, member);
  if (typeof value !== 'function') {
    const info: LookupInfo = { name, type, doc: `${name}: ${typeName(value)}` };
    const printed = printValue(value);
    if (printed !== undefined) info.value = printed;
    return info;
  }
  const info: LookupInfo = { name, type };
  if (isProxy(value)) return { ...info, doc: `${name}: a Proxy of a function` };
  const params = parameters(value);
  if (params !== undefined) {
    info['arglists-str'] = params;
    info.arglists = [params];
  }
  info.doc = type === 'class' ? classDoc(key, value) : functionDoc(key, value, params);
  const where = await functionLocation(value);
  if (where) Object.assign(info, await definition(value, where));
  return info;
}

// ---------------------------------------------------------------- docs and values

function functionDoc(key: string, fn: Function, params: string | undefined): string {
  const async = types.isAsyncFunction(fn) ? 'async ' : '';
  const star = types.isGeneratorFunction(fn) ? '*' : '';
  return `${async}function${star} ${key}${params ?? '(…)'}`;
}

function classDoc(key: string, cls: Function): string {
  let parent: unknown;
  try {
    parent = isProxy(cls) ? undefined : Object.getPrototypeOf(cls);
  } catch {
    parent = undefined;
  }
  const parentName = isInspectable(parent) && parent !== Function.prototype ? ownDescriptor(parent, 'name')?.value : undefined;
  return typeof parentName === 'string' && parentName !== '' ? `class ${key} extends ${parentName}` : `class ${key}`;
}

/** `string`, `null`, or the constructor's name of an object (`Map`, `process`), without running getters. */
function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  if (isProxy(value)) return 'Proxy';
  const ctor = findDescriptor(value, 'constructor')?.desc.value as unknown;
  const name = isInspectable(ctor) ? ownDescriptor(ctor, 'name')?.value : undefined;
  return typeof name === 'string' && name !== '' ? name : 'Object';
}

function printValue(value: unknown): string | undefined {
  try {
    const text = inspect(value, { depth: 0, breakLength: Infinity, maxArrayLength: 10, maxStringLength: VALUE_MAX, colors: false });
    return text.length > VALUE_MAX ? `${text.slice(0, VALUE_MAX - 1)}…` : text;
  } catch {
    return undefined;
  }
}

