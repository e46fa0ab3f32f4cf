/**
 * The REPL conveniences of one evaluation — `_ _error $1 $2 $3 $e $readLine
 * $stdin require module exports` and node's built-in module names (`fs`,
 * `path`, ...) — made visible to the evaluated code only, never defined on
 * the host's global object, and never hiding a global the app has.
 *
 * How: the code is wrapped in a block whose first line binds the names it
 * mentions, on the same line as the user's first line (evaluate.ts moves the
 * column offset back by the prefix, so positions in errors stay the user's):
 *
 *     with (<scope>) { let { _, require } = <values>;<code>
 *     }
 *
 * - Session names are block `let`s holding the values at the start of the
 *   eval. They resolve statically: functions the eval defines run as fast as
 *   before and keep seeing the values of that eval.
 * - Built-in module names are getters on a null-prototype `with` object, so a
 *   module loads only when the code reads the name (loading `domain` changes
 *   the process; `sys`/`punycode` print deprecation warnings). `with` makes
 *   every free name in the block a dynamic lookup, so it is used only when
 *   the code mentions such a name: a hot loop defined in such an eval runs
 *   ~50x slower on its global lookups (bench/scope.mjs); `const fs =
 *   require('fs')` avoids it.
 * - A name is bound only if the code mentions it, the app has no global of
 *   that name (own or inherited) at the start of the eval, and the code does
 *   not declare it itself (`const path = require('path')` makes a global,
 *   as before).
 * - Assigning to a bound name changes it for that eval only.
 *
 * Not wrapped (no conveniences, code runs exactly as before): code that
 * mentions none of the names, code starting with a "use strict" directive
 * (`with` is not allowed in strict code, and a directive inside a block is
 * an ordinary string), and code that only compiles unwrapped (evaluate.ts
 * compiles it again as it is).
 *
 * This module only plans the wrapper and builds the values; evaluate.ts
 * compiles and runs. The planning functions are pure.
 */
import { hasUseStrict, NS_BINDING } from '../../shared/eval-names';

export { hasUseStrict, NS_BINDING };
import { builtinModules } from 'node:module';

/** Names with a per-session value, in the order they are bound. */
export const SESSION_NAMES = ['_', '_error', '$1', '$2', '$3', '$e', '$readLine', '$stdin', 'require', 'module', 'exports'] as const;

/** One of {@link SESSION_NAMES}. */
export type SessionName = (typeof SESSION_NAMES)[number];

/** Built-in module names usable as identifiers, as `node -i` offers them (no `_` internals, no subpaths, no `module`). */
export const BUILTIN_NAMES: readonly string[] = builtinModules.filter(
  (name) => /^[A-Za-z][\w$]*$/.test(name) && !(SESSION_NAMES as readonly string[]).includes(name),
);

/** The global property that hands the scope to the wrapper, during the synchronous part of one eval only. */
export const SCOPE_KEY = Symbol.for('nrepl-ts.eval-scope');
const SCOPE_REF = 'this[Symbol.for("nrepl-ts.eval-scope")]';


/** What the wrapper binds and the text around the code. */
export interface ScopePlan {
  /** Namespaced code: NS_BINDING is bound, and `with` reaches the namespace when `withNs`. */
  namespace?: { withNs: boolean };
  /** Session names bound as block `let`s. */
  values: string[];
  /** Built-in module names bound as getters of the `with` object. */
  modules: string[];
  /** Goes before the code, on its first line. */
  prefix: string;
  /** Goes after the code: a line break, so a trailing `//` comment cannot swallow the `}`. */
  suffix: string;
}

const escape = (name: string) => name.replace(/\$/g, '\\$');

/** Matches every candidate name as an identifier: not after a word character or a single `.` (a property), not inside a quoted word. */
function mentionPattern(names: readonly string[]): RegExp {
  const alternatives = [...names].sort((a, b) => b.length - a.length).map(escape).join('|');
  return new RegExp(`(?<![\\w$'"\`:])(?<![^.]\\.)(?<!^\\.)(?:${alternatives})(?![\\w$'"\`])`, 'g');
}

const ALL_PATTERN = mentionPattern([...SESSION_NAMES, ...BUILTIN_NAMES]);

/**
 * The candidate names the code mentions. A superset of what it uses: a name
 * in a comment counts (that only costs a binding), a name used through
 * `globalThis.x` or a computed `eval` string does not.
 */
export function mentionedNames(code: string): Set<string> {
  const found = new Set<string>();
  for (const match of code.matchAll(ALL_PATTERN)) found.add(match[0]);
  return found;
}


/**
 * Plans the wrapper for `code`: undefined when nothing needs binding or the
 * code is strict. `isGlobal` tells whether the app has a global of that name;
 * `declared` lists the names the code declares at top level.
 */
export function planScope(
  code: string,
  declared: readonly string[],
  isGlobal: (name: string) => boolean,
  namespace?: { withNs: boolean },
): ScopePlan | undefined {
  const mentioned = mentionedNames(code);
  if (mentioned.size === 0 && !namespace) return undefined;
  const free = (name: string) => mentioned.has(name) && !declared.includes(name) && !isGlobal(name);
  const values = SESSION_NAMES.filter(free);
  const modules = BUILTIN_NAMES.filter(free);
  if (values.length === 0 && modules.length === 0 && !namespace) return undefined;
  if (hasUseStrict(code)) return undefined;
  // Lookup order: the session's lets, built-in modules, the namespace, the app's globals.
  const open = `${namespace?.withNs ? `with (${SCOPE_REF}.ns) ` : ''}${modules.length > 0 ? `with (${SCOPE_REF}.modules) {` : '{'}`;
  const bound = [...(namespace ? [NS_BINDING] : []), ...values];
  const lets = bound.length > 0 ? ` let { ${bound.map((v) => `${JSON.stringify(v)}: ${v}`).join(', ')} } = ${SCOPE_REF}.values;` : '';
  const plan: ScopePlan = { values, modules, prefix: `${open}${lets}`, suffix: '\n}' };
  if (namespace) plan.namespace = namespace;
  return plan;
}

/** Where the session values come from. */
export interface ScopeSource {
  lastValue(): unknown;
  lastValues(): readonly unknown[];
  lastError(): unknown;
  readLine(): unknown;
  stdin(): unknown;
  require: NodeJS.Require;
  module: { exports: unknown };
}

/** The objects the wrapper reads: `values` (data, read once) and `modules` (lazy getters). */
export interface ScopeObjects {
  values: Record<string, unknown>;
  modules: Record<string, unknown>;
  /** The eval's namespace (namespaces.ts), for namespaced code. */
  ns?: Record<string, unknown>;
}

/** Builds the values for `plan`; built-in modules load on first read, with the agent's own require. */
export function scopeObjects(plan: ScopePlan, source: ScopeSource, ns?: Record<string, unknown>): ScopeObjects {
  const values: Record<string, unknown> = Object.create(null);
  if (plan.namespace) values[NS_BINDING] = ns;
  for (const name of plan.values) values[name] = sessionValue(name as SessionName, source);
  const modules: Record<string, unknown> = Object.create(null);
  for (const name of plan.modules) {
    const settle = (value: unknown) => Object.defineProperty(modules, name, { value, writable: true, enumerable: true, configurable: true });
    Object.defineProperty(modules, name, {
      get() {
        const loaded: unknown = require(`node:${name}`);
        settle(loaded);
        return loaded;
      },
      // `fs = x` inside the eval: that eval's `fs` is now x; no global is made.
      set: settle,
      enumerable: true,
      configurable: true,
    });
  }
  return plan.namespace ? { values, modules, ns } : { values, modules };
}

function sessionValue(name: SessionName, source: ScopeSource): unknown {
  switch (name) {
    case '_':
    case '$1':
      return source.lastValue();
    case '$2':
      return source.lastValues()[1];
    case '$3':
      return source.lastValues()[2];
    case '_error':
    case '$e':
      return source.lastError();
    case '$readLine':
      return source.readLine();
    case '$stdin':
      return source.stdin();
    case 'require':
      return source.require;
    case 'module':
      return source.module;
    case 'exports':
      return source.module.exports;
  }
}
