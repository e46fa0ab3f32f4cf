/**
 * Recognises the Clojure snippets that Clojure editors send to every nREPL
 * server they connect to, whatever its language, and says how to answer them
 * quietly: a `nil` value (or what the editor parses out of the value), no
 * `err`, the session's `ns`. Without this each one shows a SyntaxError in the
 * editor's REPL buffer on connect and after every error.
 *
 * The list, read from the editors' sources (see the README's "Editors" part):
 * - CIDER, Calva: `(when-let [requires (resolve 'clojure.main/repl-requires)] …)`
 *   and other forms naming `clojure.main/repl-requires`;
 * - CIDER: `(require 'clojure.stacktrace)` (its library probe; any
 *   `(require '<lib>…)` with only quoted arguments), then
 *   `(clojure.stacktrace/print-cause-trace *e)` or `(println (ex-data *e))`
 *   after an error;
 * - Calva: `*ns*`, answered with the ns as the value; `(in-ns '<ns>)`;
 * - Conjure: its preamble (starts `(create-ns 'conjure.internal)`), the
 *   session-type probe `#?(:clj 'clj …)`, `(ns <name>)`;
 * - vim-fireplace: the class-path probe starting
 *   `(System/getProperty "path.separator")`, answered with its four values
 *   (separator, an empty class path, the working directory, nil), which
 *   fireplace reads by position.
 *
 * A match is confirmed by compiling the code with V8 (in the calling thread,
 * never run): code that is valid JavaScript is not taken for a snippet, so
 * this does not change what JavaScript means; the two exceptions are listed
 * at RULES. No I/O; never throws.
 */
import { Script } from 'node:vm';

/** How to answer a recognised snippet: one `value` message per entry, each with the ns. */
export interface SnippetAnswer {
  /** Which editor snippet it was (for debug logs and tests). */
  name: string;
  values: string[];
}

/** What the answer may depend on. */
export interface SnippetContext {
  /** The ns the eval runs in (the request's, else `user`). */
  ns: string;
  /** The working directory, for fireplace's probe. */
  cwd: string;
}

/** A Clojure symbol, possibly namespaced (`clojure.main/repl-requires`, `user`). */
const SYM = String.raw`[A-Za-z_*+!?<>=.\-][\w*+!?<>=.\-]*(?:/[\w*+!?<>=.\-]+)?`;
/** A quoted argument of `require`: `'sym`, `'[lib :as x]`, `'[lib :refer [a b]]` (one nesting level). */
const QUOTED_ARG = String.raw`'(?:${SYM}|\[[^\[\]]*(?:\[[^\[\]]*\][^\[\]]*)*\])`;

/**
 * `parses`: the snippet happens to be valid JavaScript too (`(println (ex-data *e))` is a call
 * with `ex - data * e`), taken as the snippet anyway: as JavaScript it only means something in
 * an app with globals named `println`, `ex`, `data` and `e` (or `clojure`, `print`, `cause`, `trace`).
 */
const RULES: ReadonlyArray<{ name: string; test: RegExp; parses?: true; values?: (ctx: SnippetContext) => string[] }> = [
  { name: 'repl-requires', test: /^\(.*\bclojure\.main\/repl-requires\b.*\)$/ },
  { name: 'require', test: new RegExp(String.raw`^\((?:clojure\.core/)?require(?: ${QUOTED_ARG}(?: :reload(?:-all)?)?)+\)$`) },
  { name: 'print-cause-trace', test: /^\(clojure\.stacktrace\/print-cause-trace \*e\)$/, parses: true },
  { name: 'ex-data', test: /^\((?:clojure\.core\/)?println \((?:clojure\.core\/)?ex-data \*e\)\)$/, parses: true },
  { name: '*ns*', test: /^\*ns\*$/, values: (ctx) => [ctx.ns] },
  { name: 'in-ns', test: new RegExp(String.raw`^\((?:clojure\.core/)?in-ns '${SYM}\)$`) },
  { name: 'ns', test: new RegExp(String.raw`^\((?:clojure\.core/)?ns ${SYM}\)$`) },
  { name: 'conjure-preamble', test: /^\(create-ns 'conjure\.internal\)/ },
  { name: 'reader-conditional', test: /^#\?\((?::[\w-]+ '[\w-]+ ?)+\)$/ },
  {
    name: 'fireplace-path',
    test: /^\(System\/getProperty "path\.separator"\)/,
    values: (ctx) => [JSON.stringify(':'), JSON.stringify(''), JSON.stringify(ctx.cwd), 'nil'],
  },
];

/** Longest code looked at: the snippets are short (Conjure's preamble is matched by its first form). */
const MAX_LENGTH = 20_000;

/** The answer for `code` if it is one of the editors' snippets, else undefined. */
export function editorSnippet(code: string, ctx: SnippetContext): SnippetAnswer | undefined {
  if (typeof code !== 'string' || code.length > MAX_LENGTH) return undefined;
  const text = code.replace(/\s+/g, ' ').replace(/\( /g, '(').replace(/ \)/g, ')').trim();
  const rule = RULES.find((r) => r.test.test(text));
  if (!rule || (!rule.parses && isJavaScript(code))) return undefined;
  return { name: rule.name, values: rule.values ? rule.values(ctx) : ['nil'] };
}

function isJavaScript(code: string): boolean {
  try {
    new Script(code);
    return true;
  } catch {
    return false;
  }
}
