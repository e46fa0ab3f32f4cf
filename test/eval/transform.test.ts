import { afterEach, describe, expect, it } from 'vitest';
import vm from 'node:vm';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { prepareEval, type PreparedEval } from '../../src/worker/eval/transform';

// Every eval runs as its own vm.runInThisContext call in this process's global
// context, the way the eval thread does. Names are prefixed `tt` so they cannot
// clash with anything vitest puts on globalThis.
const FILE = 'transform-test.js';
const created = new Set<string>();

function prepare(code: string): PreparedEval & { ok: true } {
  const p = prepareEval(code, { filename: FILE });
  if (!p.ok) throw new Error(`unexpected SyntaxError for ${JSON.stringify(code)}: ${p.error.message}`);
  for (const name of p.declared) created.add(name);
  return p;
}

function runPrepared(p: PreparedEval & { ok: true }): unknown {
  return vm.runInThisContext(p.code, {
    filename: FILE,
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
}

/** Transforms and runs one eval; awaits the result when the transform made it async. */
async function run(code: string): Promise<unknown> {
  const p = prepare(code);
  const value = runPrepared(p);
  return p.async ? await value : value;
}

/** Runs evals one after the other, like separate nREPL eval messages; returns the last value. */
async function runAll(...codes: string[]): Promise<unknown> {
  let last: unknown;
  for (const code of codes) last = await run(code);
  return last;
}

/** The error an eval throws or rejects with. */
async function failure(code: string): Promise<Error> {
  try {
    await run(code);
  } catch (err) {
    return err as Error;
  }
  throw new Error(`expected ${JSON.stringify(code)} to throw`);
}

/** Line of the first stack frame in FILE. */
function lineInFile(err: Error): number {
  const m = new RegExp(`${FILE}:(\\d+):\\d+`).exec(err.stack ?? '');
  if (!m) throw new Error(`no ${FILE} frame in ${err.stack}`);
  return Number(m[1]);
}

const g = globalThis as Record<string, unknown>;

afterEach(() => {
  // Script-level `var` bindings are non-configurable: they cannot be deleted,
  // only reset. Names created by plain assignment can be deleted.
  for (const name of created) {
    if (!Reflect.deleteProperty(g, name)) g[name] = undefined;
  }
  created.clear();
});

describe('rule 1: the completion value is the result', () => {
  it('returns the value of the last expression', async () => {
    expect(await run('1+1')).toBe(2);
    created.add('ttX5');
    expect(await run('ttX5 = 5; ttX5*2')).toBe(10);
    expect(await run('if (true) { 3 }')).toBe(3);
  });

  it('keeps the completion value across declarations, like eval', async () => {
    expect(await run('const ttD = 1')).toBeUndefined();
    expect(await run('1; let ttE = 2')).toBe(1);
    expect(await run('7; class ttE2 {}')).toBe(7);
  });

  it('leaves sync code sync, even with await inside nested functions', () => {
    for (const code of [
      'let ttS1 = 1',
      'async function ttS2() { await 1 }',
      'const ttS3 = async () => await 1',
      'class ttS4 { async m() { for await (const x of []) {} } }',
      'function ttS5() { return await(1) }',
    ]) {
      const p = prepare(code);
      expect(p.async, code).toBe(false);
      expect(p.code, code).not.toMatch(/^\(async/);
    }
  });
});

describe('rule 2: top-level declarations persist and can be re-declared', () => {
  it('re-declares const, let and var in later evals', async () => {
    expect(await runAll('const ttA = 1', 'const ttA = 2', 'ttA')).toBe(2);
    expect(await runAll('let ttB = 1', 'let ttB = ttB + 1', 'ttB')).toBe(2);
    expect(await runAll('var ttV = 1', 'var ttV = 2; ttV')).toBe(2);
    expect(await runAll('const ttA = "x"; let ttB = "y"', 'ttA + ttB')).toBe('xy');
  });

  it('resets a let declared again without an initializer, like the browser console', async () => {
    expect(await runAll('let ttL = 1', 'let ttL', 'ttL')).toBeUndefined();
  });

  it('re-declares classes and keeps their name', async () => {
    await run('class ttC { m() { return 1 } }');
    await run('class ttC { m() { return 2 } }');
    expect(await run('new ttC().m()')).toBe(2);
    expect(await run('ttC.name')).toBe('ttC');
    expect(await run('class ttC2 extends ttC {}\nnew ttC2().m()')).toBe(2);
  });

  it('binds every name of a destructuring declaration', async () => {
    const p = prepare('let {ttX, y: [ttZ, ...ttRest], ttW = 4} = {ttX: 1, y: [2, 3]}');
    expect(p.declared).toEqual(['ttX', 'ttZ', 'ttRest', 'ttW']);
    runPrepared(p);
    expect(await run('[ttX, ttZ, ttRest, ttW]')).toEqual([1, 2, [3], 4]);
  });

  it('keeps function hoisting within one eval and the function afterwards', async () => {
    expect(await run('ttF() + 1; function ttF() { return 7 }')).toBe(8);
    expect(await run('ttF()')).toBe(7);
    expect(await runAll('function ttF() { return 8 }', 'ttF()')).toBe(8);
  });

  it('reports declared names, top-level and var in blocks, once each', () => {
    expect(prepare('var ttN1 = 1, ttN2; let ttN3 = 3; class ttN4 {} function ttN5() {} var ttN1').declared)
      .toEqual(['ttN1', 'ttN2', 'ttN3', 'ttN4', 'ttN5']);
    expect(prepare('for (var ttN6 = 0; ttN6 < 1; ttN6++) { var ttN7 }').declared).toEqual(['ttN6', 'ttN7']);
  });

  it('leaves declarations in blocks and functions alone', async () => {
    const p = prepare('{ let ttInner = 1; class ttInnerC {} }\nfunction ttOuter() { const ttIn2 = 2; return ttIn2 }');
    expect(p.declared).toEqual(['ttOuter']);
    expect(p.code).toContain('{ let ttInner = 1; class ttInnerC {} }');
    expect(p.code).toContain('const ttIn2 = 2');
    runPrepared(p);
    expect(g.ttInner).toBeUndefined();
    expect(await run('ttOuter()')).toBe(2);
  });

  it('changes nothing but the declaration keywords', () => {
    expect(prepare('const ttK1 = 1').code).toBe('var ttK1 = 1');
    expect(prepare('let ttK2').code).toBe('var ttK2 = void 0');
    expect(prepare('class ttK3 {}').code).toBe('var ttK3 = class ttK3 {};');
  });
});

describe('rule 3: top-level await', () => {
  it('resolves to the value of the last expression statement', async () => {
    const p = prepare('await Promise.resolve(3)');
    expect(p.async).toBe(true);
    expect(await runPrepared(p)).toBe(3);
    expect(await run('const ttG = await Promise.resolve(4)')).toBeUndefined();
    expect(await run('await null; ({ a: 1 })')).toEqual({ a: 1 });
    expect(await run('await 1 // trailing comment')).toBe(1);
    expect(await run('await null; this === globalThis')).toBe(true);
  });

  it('persists awaited declarations and re-declares them', async () => {
    expect(await runAll('const ttG = await Promise.resolve(4)', 'ttG')).toBe(4);
    expect(await runAll('const ttG = await Promise.resolve(5)', 'ttG')).toBe(5);
    expect(await runAll('let ttG2 = 1', 'let ttG2; await null', 'ttG2')).toBeUndefined();
  });

  it('persists await inside destructuring declarations', async () => {
    const p = prepare('const {ttH, k: [ttI = await 9]} = await Promise.resolve({ttH: 1, k: []}); ttH + ttI');
    expect(p.declared).toEqual(['ttH', 'ttI']);
    expect(await runPrepared(p)).toBe(10);
    expect(await run('ttH')).toBe(1);
  });

  it('handles several declarators and newlines without semicolons', async () => {
    expect(await run('let ttM1 = 1, ttM2 = await 2, ttM3; ttM1 + ttM2')).toBe(3);
    expect(g.ttM3).toBeUndefined();
    expect(await run('1\nconst {ttR} = await {ttR: 2}\nttR')).toBe(2);
    expect(await run('let ttP = await 1\nttP + 1')).toBe(2);
  });

  it('keeps function hoisting and makes functions global', async () => {
    expect(await run('const ttJ0 = ttJ(); function ttJ() { return 9 }; await null; ttJ0 + ttJ()')).toBe(18);
    expect(await run('ttJ()')).toBe(9);
  });

  it('makes classes global', async () => {
    expect(await run('class ttK { }; await null; new ttK() instanceof ttK')).toBe(true);
    expect(await run('ttK.name')).toBe('ttK');
  });

  it('supports for await and var in loops and blocks', async () => {
    expect(await run('let ttSum = 0; for await (const v of [Promise.resolve(1), 2]) ttSum += v; ttSum')).toBe(3);
    expect(await run('for (var ttIdx = 0; ttIdx < 3; ttIdx++) await null; ttIdx')).toBe(3);
    expect(await run('ttIdx')).toBe(3);
    expect(await run('if (true) { var ttQ = await 1 }')).toBeUndefined();
    expect(await run('ttQ')).toBe(1);
    expect(await run('for (var ttKey in {a: 1}) await null; ttKey')).toBe('a');
    expect(await run('for (var [ttE1, ttE2] of [[1, 2]]) await null; ttE1 + ttE2')).toBe(3);
  });

  it('treats await in a computed class key as top-level', async () => {
    expect(await run('class ttCK { [await "m"]() { return 1 } }; new ttCK().m()')).toBe(1);
  });

  it('keeps "use strict" a directive', async () => {
    expect(await run('"use strict"; function ttSF() { return this }; await null; ttSF()')).toBeUndefined();
    expect(await run('"use strict"\nconst ttSC = await 1\nttSC')).toBe(1);
  });

  it('does not move user code: the wrapper is on the first and last line', () => {
    const p = prepare('const ttW1 = await 1\nclass ttW2 {}\nttW1');
    expect(p.code).toBe('var ttW1, ttW2; (async () => {void ( ttW1 = await 1);\nttW2 = class ttW2 {};\nreturn (ttW1)})()');
  });
});

describe('rule 4: line numbers are preserved', () => {
  it('reports the user line for a sync throw', async () => {
    const err = await failure('let ttLn1 = 1;\nclass ttLn2 {}\nthrow new Error("boom")');
    expect(lineInFile(err)).toBe(3);
  });

  it('reports the user line for an async throw', async () => {
    const err = await failure('const ttLn3 = await 1;\n\nthrow new Error("boom")');
    expect(lineInFile(err)).toBe(3);
  });

  it('reports the user line inside a function and after a multi-line import', async () => {
    const code = [
      'import {',
      '  basename as ttLnB,',
      '} from "node:path"',
      'function ttLnF() {',
      '  throw new Error("in f")',
      '}',
      'ttLnF()',
    ].join('\n');
    expect(lineInFile(await failure(code))).toBe(5);
  });

  it('never adds or removes a newline', () => {
    for (const code of [
      'let a = 1\nconst {b} = await c\r\nclass D {}\u2028function e() {}\nf',
      'import {\n x,\n y as z\n} from "m"\nx',
      '#!/usr/bin/env node\nawait 1',
      'const q = 1,\n  r = 2\nq',
      '{ a: 1,\n b: 2 }',
    ]) {
      const lines = (s: string) => s.split(/\r\n|[\n\r\u2028\u2029]/).length;
      const p = prepareEval(code);
      if (!p.ok) throw new Error(p.error.message);
      expect(lines(p.code), code).toBe(lines(code));
    }
  });
});

describe('rule 5: syntax errors', () => {
  it('returns acorn message, 1-based line and 1-based column', () => {
    const code = 'let a = 1;\nlet b = ;';
    expect(prepareEval(code)).toEqual({
      ok: false,
      error: { name: 'SyntaxError', message: 'Unexpected token', line: 2, column: 9 },
    });
  });

  it('agrees with V8 on the line', () => {
    const code = 'const ok = 1\n\nfoo(]';
    const p = prepareEval(code);
    expect(p.ok).toBe(false);
    let v8Line = 0;
    try {
      new vm.Script(code, { filename: FILE });
    } catch (err) {
      v8Line = Number(new RegExp(`${FILE}:(\\d+)`).exec((err as Error).stack ?? '')?.[1]);
    }
    expect(!p.ok && p.error.line).toBe(v8Line);
  });

  it('leaves nesting too deep for acorn (but not for V8) to V8', async () => {
    const deep = `${'('.repeat(1000)}1${')'.repeat(1000)}`;
    const p = prepare(deep);
    expect(p.code).toBe(deep);
    expect(runPrepared(p)).toBe(1);
  });

  it('rejects top-level return', () => {
    expect(prepareEval('return 1').ok).toBe(false);
  });

  it('accepts a hashbang line', async () => {
    expect(await run('#!/usr/bin/env node\n40 + 2')).toBe(42);
    expect(await run('#!/usr/bin/env node\nawait 42')).toBe(42);
  });
});

describe('rule 6: import and export', () => {
  it('turns default, named and namespace imports into awaited dynamic imports', async () => {
    const p = prepare('import ttPath from "node:path"');
    expect(p.async).toBe(true);
    expect(p.declared).toEqual(['ttPath']);
    await runPrepared(p);
    expect(await run('ttPath.basename("/x/y")')).toBe('y');
    expect(await run('import {basename as ttBase, sep as ttSep} from "node:path"; ttBase("/a/b") + ttSep')).toBe('b/');
    expect(await run('import * as ttNs from "node:path"; typeof ttNs.basename')).toBe('function');
    expect(await run('import ttDef, {dirname as ttDir} from "node:path"; ttDef.dirname === ttDir')).toBe(true);
    expect(await run('import ttDef2, * as ttNs2 from "node:path"; ttDef2 === ttNs2.default')).toBe(true);
    expect(await run('import "node:path"')).toBeUndefined();
  });

  it('passes import attributes on', async () => {
    expect(await run('import ttJson from \'data:application/json,{"a":1}\' with { type: "json" }\nttJson.a')).toBe(1);
  });

  it('rejects export with a SyntaxError that says why', () => {
    const p = prepareEval('const a = 1\nexport { a }');
    expect(p.ok).toBe(false);
    if (p.ok) return;
    expect(p.error).toMatchObject({ name: 'SyntaxError', line: 2, column: 1 });
    expect(p.error.message).toMatch(/export.*not supported in the REPL/);
    expect(prepareEval('export default 1').ok).toBe(false);
  });

  it("throws Node's own SyntaxError for a name the module does not export, instead of binding undefined", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nrepl-named-'));
    const cjs = join(dir, 'cjsmod.cjs');
    writeFileSync(cjs, 'exports.sub = 1; module.exports.mul = 2;');
    const cjsUrl = pathToFileURL(cjs).href;
    const cjsError = await failure(`import { add, sub as ttS } from '${cjsUrl}'`);
    expect(cjsError).toBeInstanceOf(SyntaxError);
    expect(cjsError.message).toBe(
      `Named export 'add' not found. The requested module '${cjsUrl}' is a CommonJS module, which may not support all module.exports as named exports.\n` +
        'CommonJS modules can always be imported via the default export, for example using:\n\n' +
        `import pkg from '${cjsUrl}';\nconst { add, sub: ttS } = pkg;\n`,
    );
    expect(await run(`import ttPkg, { sub as ttSub } from '${cjsUrl}'; [ttPkg.mul, ttSub]`)).toEqual([2, 1]);
    const esm = 'data:text/javascript,export const x = 1';
    expect((await failure(`import { y } from '${esm}'`)).message).toBe(`The requested module '${esm}' does not provide an export named 'y'`);
    expect((await failure(`import ttD from '${esm}'`)).message).toBe(`The requested module '${esm}' does not provide an export named 'default'`);
    expect(await run(`import { x as ttX } from '${esm}'; ttX`)).toBe(1);
  });

  it('rejects imports that are not at the top level', () => {
    const p = prepareEval('if (x) {\n  import y from "m"\n}');
    expect(p).toMatchObject({ ok: false, error: { name: 'SyntaxError', line: 2, column: 3 } });
  });
});

describe('rule 7: code that is not JavaScript', () => {
  const clojure = [
    '*ns*',
    '(str *ns*)',
    '(when-let [x 1] x)',
    '#?(:clj 1)',
    "(in-ns 'user)",
    "(require 'clojure.repl)",
    '(clojure.core/apply clojure.core/require clojure.main/repl-requires)',
    '(ns foo.bar (:require [clojure.string :as str]))',
    '#?(:cljs (ns x) :clj nil)',
    '(do)',
    'nil',
  ];

  it.each(clojure)('%s: SyntaxError, or a failure at run time', async (code) => {
    const p = prepareEval(code);
    if (!p.ok) {
      expect(p.error.name).toBe('SyntaxError');
      expect(p.error.line).toBeGreaterThanOrEqual(1);
      return;
    }
    await expect(run(code)).rejects.toThrow();
  });

  it('treats empty code and comments as undefined', async () => {
    for (const code of ['', '   \n\t ', '// just a comment', '/* block */', '#!/bin/sh']) {
      const p = prepare(code);
      expect(p.async).toBe(false);
      expect(runPrepared(p)).toBeUndefined();
    }
  });
});

describe('rule 8: object-literal-looking input', () => {
  it('evaluates a leading { as an object when it parses as one', async () => {
    expect(await run('{a: 1}')).toEqual({ a: 1 });
    expect(await run('{ a: 1, b: [2] }')).toEqual({ a: 1, b: [2] });
    expect(await run('{}')).toEqual({});
    expect(await run('{a: 1} // trailing comment')).toEqual({ a: 1 });
    expect(await run('{a: await Promise.resolve(1)}')).toEqual({ a: 1 });
  });

  it('keeps a block when the code ends with ; or is not an object', async () => {
    expect(await run('{a: 1};')).toBe(1);
    expect(await run('{ let ttB1 = 1; ttB1 + 1 }')).toBe(2);
    expect(g.ttB1).toBeUndefined();
  });
});

describe('output is valid whenever the input is', () => {
  const samples = [
    'let a = 1\n[a].map(x => x)',
    'class A {}\n(1)',
    'x\nclass A {}',
    '"use strict";class A {};function f() {}; await 1',
    'label: var q = await 1',
    'if (c) var z = await 1; else var w',
    'for (var {k} of await o) ;',
    'for (var i = 0, j;;) await 1',
    'import a from "m"; import {b} from "n"\nawait c',
    'const {a, ...rest} = await o, [, b] = p',
    'let x = 1 /* c */ ; await 2 /* d */',
    'await 1 <!-- html comment',
  ];

  it.each(samples)('%s compiles after the transform', (code) => {
    const p = prepareEval(code);
    if (!p.ok) throw new Error(p.error.message);
    expect(() => new vm.Script(p.code)).not.toThrow();
  });
});

describe('namespace mode: declarations write to the namespace object', () => {
  const ns = (code: string) => {
    const p = prepareEval(code, { namespace: true });
    if (!p.ok) throw new Error(p.error.message);
    return p;
  };

  it('rewrites each declaration kind in place, with no global binding', () => {
    expect(ns('const a = 1, {b, c: [d = 2], ...e} = o').code).toBe('void ( __nrepl_ns.a = 1, {b: __nrepl_ns.b, c: [__nrepl_ns.d = 2], ...__nrepl_ns.e} = o);');
    expect(ns('let x\nvar y').code).toBe('void ( __nrepl_ns.x = void 0);\nvoid ( __nrepl_ns.y = __nrepl_ns.y);');
    expect(ns('class K {}').code).toBe('void (__nrepl_ns.K = class K {});');
    expect(ns('for (var i = 0; i < 3; i++);').code).toBe('for ( __nrepl_ns.i = 0; i < 3; i++);');
    // Functions stay hoisted inside an arrow and are copied to the namespace first.
    expect(ns('f(); function f() { return 1 }')).toMatchObject({ code: '(() => {__nrepl_ns.f = f;f(); function f() { return 1 }})()', async: false, declared: ['f'] });
  });

  it('reports the names the code refers to, without its own declarations or property names', () => {
    expect(ns('function hot(n) { return Math.sqrt(n) + o.p + {q: 1}.q }').namespaced).toEqual({ references: ['n', 'Math', 'o'] });
    expect(ns('const a = b; a').namespaced?.references).toEqual(['b', 'a']);
    // Unparsed plain expressions: the main thread scans their words.
    expect(ns('store + 1').namespaced).toEqual({});
  });

  it('keeps "use strict" code on global declarations (with is not allowed there)', () => {
    expect(ns('"use strict"; const a = 1').namespaced).toBeUndefined();
  });

  it.each(['let a = 1\n[a].map(x => x)', 'class A {}\n(1)', 'import a from "m"; import {b} from "n"\nawait c', 'label: var q = await 1', 'for (var {k} of await o) ;', '{ a: 1,\n b: 2 }'])(
    '%s compiles after the namespace transform, lines kept',
    (code) => {
      const p = ns(code);
      expect(() => new vm.Script(`{ let __nrepl_ns = {}; ${p.code}\n}`)).not.toThrow();
      expect(p.code.split('\n').length).toBe(code.split('\n').length);
    },
  );
});
