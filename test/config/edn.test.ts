import { describe, expect, it } from 'vitest';
import { EdnSyntaxError, parseEdn } from '../../src/shared/config/edn';

function syntaxError(text: string): EdnSyntaxError {
  try {
    parseEdn(text);
  } catch (err) {
    expect(err).toBeInstanceOf(EdnSyntaxError);
    return err as EdnSyntaxError;
  }
  throw new Error(`expected ${JSON.stringify(text)} to fail`);
}

describe('parseEdn reads every form', () => {
  it('reads maps into plain objects with keyword, symbol and string keys', () => {
    const value = parseEdn('{:port 5555 accept "x" "name" :dev}');
    expect(value).toEqual({ port: 5555, accept: 'x', name: 'dev' });
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  });

  it('reads vectors, lists and sets as arrays', () => {
    expect(parseEdn('[1 2 3]')).toEqual([1, 2, 3]);
    expect(parseEdn('(1 (2 [3]))')).toEqual([1, [2, [3]]]);
    expect(parseEdn('#{:a :b}')).toEqual(['a', 'b']);
    expect(parseEdn('[]')).toEqual([]);
    expect(parseEdn('{}')).toEqual({});
  });

  it('reads strings with escapes', () => {
    expect(parseEdn('"a\\nb\\tc\\"d\\\\e\\u00e9\\r"')).toBe('a\nb\tc"d\\e\u00e9\r');
    expect(parseEdn('"line one\nline two"')).toBe('line one\nline two');
  });

  it('reads integers, N and M suffixes, hex and floats', () => {
    expect(parseEdn('[0 42 -7 +3 12N 0x1F -0x10 1.5 -2.25 1e3 3.0M 6.02E-2]')).toEqual([0, 42, -7, 3, 12, 31, -16, 1.5, -2.25, 1000, 3, 0.0602]);
  });

  it('reads true, false and nil', () => {
    expect(parseEdn('[true false nil]')).toEqual([true, false, null]);
  });

  it('reads keywords and symbols as strings without the colon', () => {
    expect(parseEdn('[:a :ns/a nrepl-ts/repl foo.bar/baz+ / - + <=>]')).toEqual(['a', 'ns/a', 'nrepl-ts/repl', 'foo.bar/baz+', '/', '-', '+', '<=>']);
  });

  it('reads characters, named and unicode', () => {
    expect(parseEdn('[\\a \\Z \\newline \\space \\tab \\return \\u00e9 \\( \\;]')).toEqual(['a', 'Z', '\n', ' ', '\t', '\r', '\u00e9', '(', ';']);
  });

  it('reads ##Inf, ##-Inf and ##NaN', () => {
    expect(parseEdn('[##Inf ##-Inf ##NaN]')).toEqual([Infinity, -Infinity, NaN]);
  });

  it('skips comments and treats commas as whitespace', () => {
    expect(parseEdn('; leading\n{:a 1, :b 2 ; trailing\n,,}  ; after\n')).toEqual({ a: 1, b: 2 });
  });

  it('discards the form after #_, nested and inside maps', () => {
    expect(parseEdn('[1 #_2 3]')).toEqual([1, 3]);
    expect(parseEdn('{:a 1 #_:b #_2 :c 3}')).toEqual({ a: 1, c: 3 });
    expect(parseEdn('[#_ #_ 1 2 3]')).toEqual([3]);
    expect(parseEdn('#_{:x 1} {:y 2}')).toEqual({ y: 2 });
  });

  it('skips metadata and keeps the value', () => {
    expect(parseEdn('{:middleware ^:concat [a/b]}')).toEqual({ middleware: ['a/b'] });
    expect(parseEdn('^{:doc "x"} [1]')).toEqual([1]);
    expect(parseEdn('^String s')).toBe('s');
  });

  it('reads #inst and #uuid as their string', () => {
    expect(parseEdn('[#inst "2020-01-01T00:00:00Z" #uuid "f81d4fae-7dec-11d0-a765-00a0c91e6bf6"]')).toEqual([
      '2020-01-01T00:00:00Z', 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6',
    ]);
  });

  it('reads nested structures', () => {
    expect(parseEdn('{:servers {dev {:port 5555 :args [:x {:y #{1}}] :tls {:cert "c"}}}}')).toEqual({
      servers: { dev: { port: 5555, args: ['x', { y: [1] }], tls: { cert: 'c' } } },
    });
  });

  it('reads unicode in strings, symbols and keywords', () => {
    expect(parseEdn('{:café "naïve ☕ 😀" λ/ü 1}')).toEqual({ café: 'naïve ☕ 😀', 'λ/ü': 1 });
  });

  it('keeps a "__proto__" key as data without touching the prototype', () => {
    const value = parseEdn('{:__proto__ {:polluted true} :a 1}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__', 'a']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('prints non-string map keys', () => {
    expect(parseEdn('{1 :a nil :b true :c [1 2] :d}')).toEqual({ 1: 'a', nil: 'b', true: 'c', '[1,2]': 'd' });
  });

  it('allows trailing whitespace and comments, and empty input only when asked', () => {
    expect(parseEdn('  {:a 1}\n ;; done\n\n')).toEqual({ a: 1 });
    expect(parseEdn(' ;; nothing\n', { allowEmpty: true })).toBeUndefined();
  });
});

describe('parseEdn errors carry line and column', () => {
  it.each([
    ['', 'expected an EDN value, found only whitespace or comments', 1, 1],
    ['{:a 1} {:b 2}', 'expected a single EDN value, found another value after it', 1, 8],
    ['[1 2', 'unexpected end of input: "[" opened here is never closed', 1, 1],
    ['{:a\n  [1 2)}', 'expected "]" to close "[" from line 2, column 3, found ")"', 2, 7],
    ['{:a 1 :b}', 'a map needs an even number of forms (key value pairs), found 3', 1, 1],
    ['{:a 1 :a 2}', 'duplicate key "a" in map', 1, 1],
    [')', 'unexpected ")" with nothing open', 1, 1],
    ['{} )', 'unexpected ")" with nothing open', 1, 4],
    ['"abc', 'unexpected end of input: string opened here is never closed', 1, 1],
    ['"a\\qb"', 'unsupported escape "\\q" in string', 1, 3],
    ['"\\u12"', 'a \\u escape needs exactly 4 hex digits', 1, 2],
    ['\\foo', 'unsupported character literal "\\foo"', 1, 1],
    ['#foo 1', 'unsupported tagged literal "#foo" (only #inst and #uuid are read)', 1, 1],
    ['#inst 5', '#inst must be followed by a string', 1, 1],
    ['#"re"', 'unsupported dispatch "#""', 1, 1],
    ['##Foo', 'unknown symbolic value "##Foo"', 1, 1],
    ['##constructor', 'unknown symbolic value "##constructor"', 1, 1],
    ['\\constructor', 'unsupported character literal "\\constructor"', 1, 1],
    ['::auto', 'auto-resolved keyword "::auto" is not EDN', 1, 1],
    [':', 'invalid keyword ":"', 1, 1],
    ['1/2', 'invalid number "1/2"', 1, 1],
    ['08', 'invalid number "08"', 1, 1],
    ['@scope/pkg', 'invalid symbol "@scope/pkg"; if it is a name or path, write it as a string: "@scope/pkg"', 1, 1],
    ["'quoted", 'invalid symbol "\'quoted"; if it is a name or path, write it as a string: "\'quoted"', 1, 1],
    ['[1 #_]', '#_ must be followed by a value to discard', 1, 4],
    ['[^:meta]', 'metadata must be followed by a value', 1, 2],
    ['^:meta', 'unexpected end of input, expected a value', 1, 7],
    ['{"é☕" 1 😀 2}', 'invalid symbol "😀"; if it is a name or path, write it as a string: "😀"', 1, 9],
  ])('%j fails: %s', (text, reason, line, column) => {
    const err = syntaxError(text);
    expect(err.reason).toBe(reason);
    expect([err.line, err.column]).toEqual([line, column]);
    expect(err.message).toBe(`${reason} at line ${line}, column ${column}`);
  });

  it('fails cleanly on absurd nesting instead of overflowing the stack', () => {
    expect(syntaxError('['.repeat(10_000)).reason).toBe('values nested more than 500 deep');
  });
});
