import { describe, expect, it } from 'vitest';
import { classify, completeness, FormReader, type ReaderItem } from '../../src/shared/form-reader';

const forms = (items: ReaderItem[]) => items.map((i) => (i.kind === 'form' ? i.source : i.kind));

describe('completeness', () => {
  it('complete code is complete', () => {
    for (const code of ['1 + 1\n', 'const x = 1\n', 'function f() { return 1 }\n', 'await 1\n', '({a: 1})\n', '{ "a": 1 }\n', '{a: 1}\n', "import('x')\n", 'x\n// trailing comment\n']) {
      expect(completeness(code), code).toBe('complete');
    }
  });

  it('code that more lines could finish is incomplete', () => {
    const cases = [
      'function f() {\n',
      'function f() {\n  return 1\n',
      '1 +\n',
      'foo(1,\n',
      'foo(1, // a comment\n',
      '[1,\n 2,\n',
      'const o = {\n',
      '{\n',
      '{ "a": 1,\n', // an object literal that goes on (node:repl's rule)
      'if (x)\n',
      'class A {\n',
      '(a, b) =>\n',
      'a?.\n',
      '`template\n', // template literals span lines
      '`a ${\n',
      '/* block comment\n',
      "'line continuation\\\n", // a string whose line ends in a backslash
    ];
    for (const code of cases) expect(completeness(code), JSON.stringify(code)).toBe('incomplete');
  });

  it('syntax errors that more lines cannot fix are complete, with the error located', () => {
    const cases: Array<[string, string, number, number]> = [
      [')(\n', 'Unexpected token', 1, 1],
      ['a b\n', 'Unexpected token', 1, 3],
      ['break;\n', 'Unsyntactic break', 1, 1],
      ["'unterminated\n", 'Unterminated string constant', 1, 1], // a raw newline ends a string: no continuation
      ['2e\n', 'Invalid number', 1, 1],
      ['let x = 1; let x = 2\n', "Identifier 'x' has already been declared", 1, 16],
      ['function f() {\n  retrun 1\n}\n', 'Unexpected token', 2, 10],
    ];
    for (const [code, message, line, column] of cases) {
      expect(classify(code), JSON.stringify(code)).toEqual({ state: 'complete', error: { name: 'SyntaxError', message, line, column } });
    }
  });

  it('only whitespace and comments is empty', () => {
    for (const code of ['\n', '   \n', '// hi\n', '/* a */\n', '/* a\n b */\n']) expect(completeness(code), code).toBe('empty');
  });

  it('an object literal that reads as a block is complete and has no error', () => {
    expect(classify('{ "a": 1, "b": [2] }\n')).toEqual({ state: 'complete' });
  });
});

describe('FormReader', () => {
  it('gives one form per complete line, and waits for multi-line forms', () => {
    const r = new FormReader();
    expect(forms(r.push('1\n2; 3\nfunction f() {\n  return 1\n'))).toEqual(['1', '2; 3']);
    expect(r.pending).toBe(true);
    expect(forms(r.push('}\nf()\n'))).toEqual(['function f() {\n  return 1\n}', 'f()']);
    expect(r.pending).toBe(false);
  });

  it('keeps a partial line until its newline arrives, also across chunks split anywhere', () => {
    const text = 'const s = `a\nb`\nconst o = {\n  k: "v\\"}"\n}\no.k + s\n';
    const expected = ['const s = `a\nb`', 'const o = {\n  k: "v\\"}"\n}', 'o.k + s'];
    for (let size = 1; size <= text.length; size++) {
      const r = new FormReader();
      const got: ReaderItem[] = [];
      for (let i = 0; i < text.length; i += size) got.push(...r.push(text.slice(i, i + size)));
      expect(forms(got), `chunks of ${size}`).toEqual(expected);
    }
  });

  it('strings holding newlines, template literals and comments spanning lines', () => {
    const r = new FormReader();
    expect(forms(r.push('"a\\nb"\n'))).toEqual(['"a\\nb"']);
    expect(forms(r.push('`line 1\n'))).toEqual([]);
    expect(forms(r.push('line 2`\n'))).toEqual(['`line 1\nline 2`']);
    expect(forms(r.push('/* start\n'))).toEqual([]);
    expect(forms(r.push('end */ 42\n'))).toEqual(['/* start\nend */ 42']);
    expect(forms(r.push("'one \\\n"))).toEqual([]);
    expect(forms(r.push("two'\n"))).toEqual(["'one \\\ntwo'"]);
  });

  it('skips blank and comment-only lines, like the Clojure reader skips them', () => {
    const r = new FormReader();
    expect(forms(r.push('\n   \n// nothing\n/* nothing */\n1\n'))).toEqual(['1']);
  });

  it('accepts CRLF line ends and drops the line end from the form', () => {
    const r = new FormReader();
    expect(forms(r.push('1 +\r\n2\r\n'))).toEqual(['1 +\r\n2']);
  });

  it('a syntax error ends the form and is carried with it; reading goes on', () => {
    const r = new FormReader();
    const items = r.push(')(\n1\n');
    expect(items[0]).toEqual({ kind: 'form', source: ')(', error: { name: 'SyntaxError', message: 'Unexpected token', line: 1, column: 1 } });
    expect(items[1]).toEqual({ kind: 'form', source: '1' });
  });

  it(':repl/quit outside a form asks to quit and nothing after it is read', () => {
    const r = new FormReader();
    expect(r.push('1\n  :repl/quit  \n2\n')).toEqual([{ kind: 'form', source: '1' }, { kind: 'quit' }]);
  });

  it(':repl/quit inside a form is part of it (e.g. a template literal)', () => {
    const r = new FormReader();
    expect(forms(r.push('`\n:repl/quit\n`\n'))).toEqual(['`\n:repl/quit\n`']);
  });

  it('at the end of input, the rest is the last form: complete, incomplete (an error) or nothing', () => {
    const a = new FormReader();
    a.push('1 + ');
    expect(a.end()).toEqual([{ kind: 'form', source: '1 + ', error: { name: 'SyntaxError', message: 'Unexpected end of input', line: 1, column: 5 } }]);
    const b = new FormReader();
    b.push('40 + 2');
    expect(b.end()).toEqual([{ kind: 'form', source: '40 + 2' }]);
    const c = new FormReader();
    c.push('function f() {\n');
    expect(c.end()[0]).toMatchObject({ kind: 'form', source: 'function f() {', error: { message: 'Unexpected end of input' } });
    const d = new FormReader();
    d.push('// only a comment');
    expect(d.end()).toEqual([]);
    const e = new FormReader();
    e.push(':repl/quit');
    expect(e.end()).toEqual([{ kind: 'quit' }]);
  });

  it('gives up on a form larger than maxChars, once', () => {
    const r = new FormReader({ maxChars: 20 });
    expect(r.push('[\n1,\n')).toEqual([]);
    expect(r.push('2222222222222222,\n')).toEqual([{ kind: 'too-large', chars: 23 }]);
    expect(r.push('3]\n')).toEqual([]);
    expect(r.end()).toEqual([]);
    const partial = new FormReader({ maxChars: 10 });
    expect(partial.push('x'.repeat(11))).toEqual([{ kind: 'too-large', chars: 11 }]);
  });
});
