// The editors' Clojure bootstrap snippets (src/nrepl/editor-snippets.ts),
// written as the editors send them (CIDER cider-repl.el/cider-compilation.el,
// Calva nrepl/index.ts, Conjure preamble.cljc/server.fnl, vim-fireplace
// transport.vim), and JavaScript that must never be taken for one.
import { describe, expect, it } from 'vitest';
import { editorSnippet } from '../../src/worker/nrepl/editor-snippets';

const ctx = { ns: 'user', cwd: '/srv/app' };

describe('editorSnippet', () => {
  it.each([
    ['repl-requires', "(when-let [requires (resolve 'clojure.main/repl-requires)]\n  (clojure.core/apply clojure.core/require @requires))"],
    ['repl-requires', '(clojure.core/apply clojure.core/require clojure.main/repl-requires)'],
    ['repl-requires', "(when (clojure.core/resolve 'clojure.main/repl-requires)\n      (clojure.core/map clojure.core/require clojure.main/repl-requires))"],
    ['require', "(require 'clojure.stacktrace)"],
    ['require', "(clojure.core/require 'clojure.repl 'clojure.java.javadoc)"],
    ['require', "(require '[cljs.repl :refer [apropos dir doc find-doc print-doc pst source]])"],
    ['require', "(require 'my.ns :reload-all)"],
    ['print-cause-trace', '(clojure.stacktrace/print-cause-trace *e)'],
    ['ex-data', '(println (ex-data *e))'],
    ['in-ns', "(in-ns 'user)"],
    ['ns', '(ns dev.sandbox)'],
    ['reader-conditional', "#?(:clj 'clj :cljs 'cljs :cljr 'cljr :default 'unknown)"],
    ['conjure-preamble', "(create-ns 'conjure.internal)\n(intern 'conjure.internal 'initial-ns (symbol (str *ns*)))\n(ns conjure.internal)"],
  ])('%s: %s answers nil', (name, code) => {
    expect(editorSnippet(code, ctx)).toEqual({ name, values: ['nil'] });
  });

  it('*ns* answers the session ns as its value (Calva reads it)', () => {
    expect(editorSnippet('*ns*', { ...ctx, ns: './src/app.js' })).toEqual({ name: '*ns*', values: ['./src/app.js'] });
  });

  it("fireplace's class-path probe gets the four values it reads by position", () => {
    const code =
      '(System/getProperty "path.separator") (or (System/getProperty "fake.class.path") (System/getProperty "java.class.path") "") ' +
      "(System/getProperty \"user.dir\") (require 'clojure.repl 'clojure.java.javadoc)";
    expect(editorSnippet(code, ctx)?.values).toEqual(['":"', '""', '"/srv/app"', 'nil']);
  });

  it.each([
    '1 + 1',
    '(require)',
    "(require('x'))",
    '(ns)',
    '(println)',
    "require('clojure.stacktrace')",
    "(require 'x); doSomething()",
    '(clojure.stacktrace)',
  ])('leaves %s alone', (code) => {
    expect(editorSnippet(code, ctx)).toBeUndefined();
  });

  it('never takes valid JavaScript for a snippet, even if it reads like one', () => {
    // A regular expression literal and division: JavaScript, so it is evaluated as such.
    expect(editorSnippet('(clojure.main/repl-requires/2)', ctx)).toBeUndefined();
  });
});
