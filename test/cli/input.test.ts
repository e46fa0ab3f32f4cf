// input.ts: when typed lines form complete input, and what Tab completes.
import { describe, expect, it } from 'vitest';
import { dialectOf, isIncomplete, wordBeforeCursor } from '../../src/cli/input';

describe('isIncomplete (JavaScript)', () => {
  it.each(['function f() {', 'foo(1,', '1 +', 'if (x)', 'const a = [1,\n2', 'x =>', '`multi\nline', '/* open comment', 'class A {\n  m() {}', 'foo( // comment'])(
    'waits for more after %j',
    (code) => expect(isIncomplete(code, 'js')).toBe(true),
  );

  it.each(['1 + 1', 'function f() {\n  return 1;\n}', 'await 1', 'import x from "y"', '{a: 1}', '', '  ', '"unterminated', '/unterminated', '}', 'let = = 1', 'return 1'])(
    'sends %j as it is (complete, or wrong in a way more lines cannot fix)',
    (code) => expect(isIncomplete(code, 'js')).toBe(false),
  );
});

describe('isIncomplete (Lisp)', () => {
  it.each(['(defn f [x]', '(str "a', '{:a [1 2', '(+ 1 ; )\n'])('waits for more after %j', (code) => expect(isIncomplete(code, 'lisp')).toBe(true));
  it.each(['(+ 1 2)', '(str "(")', '\\(', ')', '(a]', ':kw', '(println "a\\"b")'])('sends %j', (code) => expect(isIncomplete(code, 'lisp')).toBe(false));
});

describe('wordBeforeCursor', () => {
  it('takes the identifier chain before the cursor', () => {
    expect(wordBeforeCursor('x = process.ver', 'js')).toBe('process.ver');
    expect(wordBeforeCursor('foo(bar', 'js')).toBe('bar');
    expect(wordBeforeCursor('a.b.', 'js')).toBe('a.b.');
    expect(wordBeforeCursor('1.5', 'js')).toBe('');
    expect(wordBeforeCursor('x ', 'js')).toBe('');
    expect(wordBeforeCursor('(clojure.string/jo', 'lisp')).toBe('clojure.string/jo');
    expect(wordBeforeCursor('(map inc', 'lisp')).toBe('inc');
  });
});

describe('dialectOf', () => {
  it('is Lisp for Clojure-family servers and JavaScript otherwise', () => {
    expect(dialectOf({ clojure: {}, nrepl: {} })).toBe('lisp');
    expect(dialectOf({ babashka: '1' })).toBe('lisp');
    expect(dialectOf({ 'nrepl-ts': {}, node: {} })).toBe('js');
    expect(dialectOf(undefined)).toBe('js');
  });
});
