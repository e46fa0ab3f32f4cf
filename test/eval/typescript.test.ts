import { describe, expect, it } from 'vitest';
import { argsLanguage, chooseLanguage, hostRunsTypeScript, languageName } from '../../src/worker/eval/language';
import { loadTypeScript } from '../../src/worker/eval/typescript';
import { isEsmTypeScript } from '../../src/main/eval/esm-require-guard';
import { join } from 'node:path';
import { APPS } from '../helpers/agent';

describe('which evals are TypeScript', () => {
  it('follows how the host was started', () => {
    expect(hostRunsTypeScript({ execArgv: ['--import', 'tsx'] })).toBe(true);
    expect(hostRunsTypeScript({ execArgv: ['--require', '/app/node_modules/tsx/dist/preflight.cjs', '--import', 'file:///app/node_modules/tsx/dist/loader.mjs'] })).toBe(true);
    expect(hostRunsTypeScript({ execArgv: [], nodeOptions: '--require ts-node/register' })).toBe(true);
    expect(hostRunsTypeScript({ execArgv: ['--experimental-strip-types'] })).toBe(true);
    expect(hostRunsTypeScript({ execArgv: [], main: '/app/server.mts' })).toBe(true);
    expect(hostRunsTypeScript({ execArgv: ['--import', '/x/register.js'], main: '/app/server.js' })).toBe(false);
    expect(hostRunsTypeScript({ execArgv: ['--import', './tsxish.js'] })).toBe(false);
    expect(hostRunsTypeScript(undefined)).toBe(false);
  });

  it('lets the request, then the server, then the file decide before the host', () => {
    const tsHost = { execArgv: ['--import', 'tsx'] };
    expect(chooseLanguage({ requested: 'javascript', server: 'typescript', runtime: tsHost })).toBe('javascript');
    expect(chooseLanguage({ server: 'javascript', file: 'a.ts', runtime: tsHost })).toBe('javascript');
    expect(chooseLanguage({ file: 'src/a.cts', runtime: { execArgv: [] } })).toBe('typescript');
    expect(chooseLanguage({ ns: 'src/a.mts' })).toBe('typescript');
    expect(chooseLanguage({ ns: 'user', runtime: tsHost })).toBe('typescript');
    expect(chooseLanguage({ ns: 'user', requested: 'nonsense', runtime: { execArgv: [] } })).toBe('javascript');
  });

  it('reads server args and request values in their Clojure and plain spellings', () => {
    expect(argsLanguage([':json', ':typescript'])).toBe('typescript');
    expect(argsLanguage(['ts'])).toBe('typescript');
    expect(argsLanguage([':javascript'])).toBe('javascript');
    expect(argsLanguage([':json'])).toBeUndefined();
    expect(languageName(':TS')).toBe('typescript');
    expect(languageName(1)).toBeUndefined();
  });
});

describe('type stripping', () => {
  it('blanks types in place, so every line and column stays', async () => {
    const strip = await loadTypeScript();
    const cases = ['const x: number = 1', '(v as number)', 'f<string>(1)', 'type T = {a: string}\nlet y: T', 'const f = (\n  a: number\n): number =>\n  a', 'x!.y'];
    for (const code of cases) {
      const out = strip(code);
      if (!out.ok) throw new Error(out.error.message);
      expect(out.code).toHaveLength(code.length);
      expect(out.code.split('\n').length).toBe(code.split('\n').length);
    }
    expect(strip('const x: number = 1')).toEqual({ ok: true, code: 'const x         = 1' });
  });

  it('keeps the object literal rule: {a: 1, b: 2 as number} is an object', async () => {
    const strip = await loadTypeScript();
    expect(strip('{a: 1, b: 2 as number}')).toEqual({ ok: true, code: '{a: 1, b: 2          }' });
  });

  it('reports constructs that need generated code at their position, with what to write instead', async () => {
    const strip = await loadTypeScript();
    expect(strip('let a = 1;\n  enum Color { Red }')).toEqual({
      ok: false,
      error: { name: 'SyntaxError', explained: true, message: expect.stringMatching(/^TypeScript 'enum' is not supported: .*use an object/), line: 2, column: 3 },
    });
    expect(strip('namespace N { export const a = 1 }')).toMatchObject({ ok: false, error: { message: expect.stringContaining("'namespace'") } });
    expect(strip('class A { constructor(private x: number) {} }')).toMatchObject({ ok: false, error: { message: expect.stringContaining('parameter properties'), line: 1, column: 23 } });
    expect(strip('import fs = require("fs")')).toMatchObject({ ok: false, error: { message: expect.stringContaining('const x = require') } });
    // Ambient declarations generate nothing: they strip.
    expect(strip('declare namespace D { const a: number }')).toMatchObject({ ok: true });
  });
});

describe('ES-module TypeScript files', () => {
  it('are .mts files, or .ts files under "type": "module"', () => {
    expect(isEsmTypeScript(join(APPS, 'ts-esm/src/store.ts'))).toBe(true);
    expect(isEsmTypeScript(join(APPS, 'ts-cjs/src/store.ts'))).toBe(false);
    expect(isEsmTypeScript('/nowhere/a.mts')).toBe(true);
    expect(isEsmTypeScript(join(APPS, 'ts-esm/app.js'))).toBe(false);
  });
});
