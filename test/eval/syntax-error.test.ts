// One shape for every syntax error (src/eval/syntax-error.ts), the shape V8
// gives on the main thread; and no agent frame in printed stacks
// (src/eval/internal-frames.ts).
import { describe, expect, it } from 'vitest';
import { join, resolve } from 'node:path';
import { syntaxErrorText } from '../../src/shared/syntax-error';
import { stripInternalFrames } from '../../src/shared/print/internal-frames';

const at = (line: number, column: number) => ({ message: 'Unexpected token', line, column });

describe('syntaxErrorText', () => {
  it("uses V8's message and caret under the user's line", () => {
    expect(syntaxErrorText('const x: number = 1', at(1, 8))).toBe(
      `Uncaught ${join(process.cwd(), '[nrepl-eval]')}:1\nconst x: number = 1\n      ^\n\nSyntaxError: Missing initializer in const declaration\n`,
    );
  });

  it('names the file and counts lines from the request line', () => {
    const text = syntaxErrorText('1\nfoo bar', at(2, 5), { file: '/srv/a.js', line: 10 });
    expect(text).toBe("Uncaught /srv/a.js:11\nfoo bar\n    ^^^\n\nSyntaxError: Unexpected identifier 'bar'\n");
  });

  it('judges code with top-level await as the main thread runs it, showing only the user\'s line', () => {
    const text = syntaxErrorText('let a = await 1;\nfoo bar', at(2, 5));
    expect(text).toMatch(/^Uncaught .*\[nrepl-eval\]:2\nfoo bar\n {4}\^\^\^\n\nSyntaxError: Unexpected identifier 'bar'\n$/);
    expect(text).not.toContain('async');
  });

  it("puts the parser's message in the same shape when V8 accepts the code", () => {
    expect(syntaxErrorText('a b c', { message: 'Parser only (1:2)', line: 1, column: 3 }, { file: '/x.js' })).toBe(
      'Uncaught /x.js:1\na b c\n  ^\n\nSyntaxError: Unexpected identifier \'b\'\n',
    );
    expect(syntaxErrorText('ok()', { message: 'Parser only', line: 1, column: 3 }, { file: '/x.js' })).toBe(
      'Uncaught /x.js:1\nok()\n  ^\n\nSyntaxError: Parser only\n',
    );
  });
});

describe('stripInternalFrames', () => {
  const agent = resolve(__dirname, '../../src');
  it('drops the frames below the vm call and the agent\'s own files, keeps the user\'s and Node\'s', () => {
    const stack = [
      'Error: x',
      '    at f (/app/store.js:3:9)',
      '    at Array.map (<anonymous>)',
      '    at Object.readFileSync (node:fs:441:20)',
      '    at /app/[nrepl-eval]:1:1',
      '    at Script.runInThisContext (node:vm:137:12)',
      `    at run (${agent}/eval/evaluate.ts:119:23)`,
      '    at AsyncLocalStorage.run (node:async_hooks:346:14)',
      `    at WorkerCalls.handle (${agent}/eval/host-calls.ts:52:41)`,
    ].join('\n');
    expect(stripInternalFrames(stack)).toBe(
      'Error: x\n    at f (/app/store.js:3:9)\n    at Array.map (<anonymous>)\n    at Object.readFileSync (node:fs:441:20)\n    at /app/[nrepl-eval]:1:1',
    );
  });

  it('drops agent, node:repl and node:domain frames anywhere; keeps text lines and later stacks', () => {
    const text = [
      'Error: outer',
      `    at later (${agent}/agent/host.ts:1:1)`,
      '    at REPLServer.defaultEval (node:repl:597:29)',
      '    at bound (node:domain:433:15)',
      '    at user (/app/a.js:1:1) {',
      '  [cause]: Error: inner',
      '      at user2 (/app/b.js:2:2)',
      '}',
    ].join('\n');
    expect(stripInternalFrames(text)).toBe(
      'Error: outer\n    at user (/app/a.js:1:1) {\n  [cause]: Error: inner\n      at user2 (/app/b.js:2:2)\n}',
    );
  });

  it('returns text without frames unchanged', () => {
    const s = "{ a: '    at x' }";
    expect(stripInternalFrames(s)).toBe(s);
  });
});
