/**
 * The eval namespaces, Clojure's model on the host's main thread: one
 * null-prototype object per `ns` name holds the top-level declarations of
 * every eval in that ns, from every session and every accept kind (nREPL,
 * prepl, plain REPL), so they can be re-declared at will and never touch the
 * app's global object. Reads of other names fall through to the app's
 * globals; only an explicit `globalThis.x = …` (or an undeclared assignment,
 * as in the app's own sloppy code) changes a global.
 *
 * Code reaches its namespace through scope.ts: a block binding for
 * declarations (transform.ts writes `__nrepl_ns.x = …`), and a `with` for
 * reads, added only when the code refers to a name the namespace has, since
 * every free name under a `with` is a dynamic lookup (bench/namespace.mjs).
 *
 * It does not rewrite code (transform.ts) or compile it (evaluate.ts).
 */

/** A namespace's declarations. */
export type Namespace = Record<string, unknown>;

const namespaces = new Map<string, Namespace>();

/** The namespace called `name` ("user" when none is given), created on first use. */
export function namespaceFor(name: string | undefined): Namespace {
  const key = name ?? 'user';
  let ns = namespaces.get(key);
  if (!ns) {
    ns = Object.create(null) as Namespace;
    namespaces.set(key, ns);
  }
  return ns;
}

/** Past this many names, a plain expression is assumed to use one (the mention scan would cost more than the `with`). */
const SCAN_LIMIT = 2000;

const IDENTIFIER_START = /[\p{L}_$]/u;

/**
 * True when `code` uses one of the namespace's names. With `references`
 * (from the parse) that is exact up to locals; without (a plain expression,
 * never parsed) any identifier-like word of the code counts.
 */
export function usesNamespace(ns: Namespace, code: string, references: readonly string[] | undefined, declared: readonly string[]): boolean {
  if (references) return references.some((name) => name in ns || declared.includes(name));
  const keys = Object.keys(ns);
  if (keys.length === 0) return false;
  if (keys.length > SCAN_LIMIT) return true;
  for (const word of code.match(/[\p{L}\p{N}_$]+/gu) ?? []) if (IDENTIFIER_START.test(word[0]) && word in ns) return true;
  return false;
}

/**
 * What completion and lookup see for `ns`: its declarations over the app's
 * globals, as evaluated code does. Getters (live imports) are copied as
 * getters, so nothing is read until a completer reads it.
 */
export function namespaceView(name: string | undefined): object {
  const ns = namespaces.get(name ?? 'user');
  if (!ns || Object.keys(ns).length === 0) return globalThis;
  return Object.defineProperties(Object.create(globalThis) as object, Object.getOwnPropertyDescriptors(ns));
}

/** The names declared in `ns`, for completion. */
export function namespaceNames(name: string | undefined): string[] {
  const ns = namespaces.get(name ?? 'user');
  return ns ? Object.keys(ns) : [];
}
