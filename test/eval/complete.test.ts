import { describe, expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import { completions, type Completion } from '../../src/main/tooling/complete';

class Widget {
  constructor(readonly size: number) {}
  spin(): number {
    return this.size;
  }
}
function helper(): number {
  return 1;
}

/** A root with one of everything; its prototype holds an inherited name. */
function fixture(): Record<string, unknown> {
  const root: Record<string, unknown> = Object.create({ alphaInherited: 1, inheritedOnly: true });
  Object.assign(root, {
    alpha: 1,
    alphabet: 'abc',
    Alpine: true,
    helper,
    Widget,
    widgets: new Map([['a', new Widget(1)]]),
    nested: { deep: { value: 1.5, fn() {}, Klass: class {} } },
    'not-an-identifier': 1,
    42: 'index',
    nothing: null,
    big: new Array(1_000_000).fill(0),
    bytes: new Uint8Array(1_000_000),
  });
  Object.defineProperty(root, 'boom', {
    enumerable: true,
    get() {
      throw new Error('getter exploded');
    },
  });
  return root;
}

const names = (list: Completion[]) => list.map((c) => c.candidate);
const typeOf = (list: Completion[], candidate: string) => list.find((c) => c.candidate === candidate)?.type;

describe('plain identifiers', () => {
  it('matches ignoring case, exact case first, then alphabetical; own before inherited', () => {
    const got = completions('al', { root: fixture() });
    expect(names(got)).toEqual(['alpha', 'alphabet', 'Alpine', 'alphaInherited']);
  });

  it('puts the name equal to the prefix first, even over own names', () => {
    expect(names(completions('alphaInherited', { root: fixture() }))[0]).toBe('alphaInherited');
    expect(names(completions('alpha', { root: fixture() })).slice(0, 2)).toEqual(['alpha', 'alphabet']);
  });

  it('types globals: class, function, var', () => {
    const got = completions('', { root: fixture() });
    expect(typeOf(got, 'Widget')).toBe('class');
    expect(typeOf(got, 'helper')).toBe('function');
    expect(typeOf(got, 'alpha')).toBe('var');
    expect(typeOf(got, 'inheritedOnly')).toBe('var');
  });

  it('offers keywords after own names', () => {
    const got = completions('ret', { root: fixture() });
    expect(got).toEqual([{ candidate: 'return', type: 'keyword' }]);
    expect(names(completions('aw', { root: {} }))).toEqual(['await']);
    expect(typeOf(completions('con', { root: {} }), 'const')).toBe('keyword');
  });

  it('offers names the session declared', () => {
    const got = completions('my', { root: fixture(), declared: ['myConst', 'myOther', 'unrelated'] });
    expect(got).toEqual([
      { candidate: 'myConst', type: 'var' },
      { candidate: 'myOther', type: 'var' },
    ]);
  });

  it('leaves out non-identifier keys, index keys and symbols', () => {
    const got = names(completions('', { root: fixture() }));
    expect(got).not.toContain('not-an-identifier');
    expect(got).not.toContain('42');
    expect(new Set(got).size).toBe(got.length);
  });

  it('keeps the text before the identifier in each candidate', () => {
    expect(names(completions('x + alph', { root: fixture() }))).toContain('x + alpha');
    expect(names(completions('!helpe', { root: fixture() }))).toEqual(['!helper']);
  });

  it('completes real globals of this process', () => {
    const got = completions('pro');
    expect(got[0]).toEqual({ candidate: 'process', type: 'var' });
    expect(typeOf(got, 'Promise')).toBe('class');
    expect(typeOf(got, 'propertyIsEnumerable')).toBe('function');
    expect(names(got).indexOf('Promise')).toBeLessThan(names(got).indexOf('propertyIsEnumerable'));
  });
});

describe('property chains', () => {
  it('completes members of a chain, typed method/property/class', () => {
    const root = fixture();
    expect(completions('nested.deep.', { root })).toEqual(
      expect.arrayContaining([
        { candidate: 'nested.deep.fn', type: 'method' },
        { candidate: 'nested.deep.value', type: 'property' },
        { candidate: 'nested.deep.Klass', type: 'class' },
      ]),
    );
    expect(names(completions('nested.deep.va', { root }))).toEqual(['nested.deep.value', 'nested.deep.valueOf']);
  });

  it('supports optional chaining', () => {
    expect(names(completions('nested?.deep?.va', { root: fixture() }))).toEqual(['nested?.deep?.value', 'nested?.deep?.valueOf']);
  });

  it('includes prototype members, nearest prototype first', () => {
    const got = completions('widgets.', { root: fixture() });
    const list = names(got);
    expect(typeOf(got, 'widgets.get')).toBe('method');
    expect(typeOf(got, 'widgets.size')).toBe('property');
    expect(list.indexOf('widgets.set')).toBeLessThan(list.indexOf('widgets.hasOwnProperty'));
    expect(list).toContain('widgets.constructor');
    expect(list).not.toContain('widgets.__proto__');
    expect(names(completions('widgets.__pro', { root: fixture() }))).toEqual(['widgets.__proto__']);
  });

  it('completes methods of a class instance and of primitives', () => {
    const root = { w: new Widget(2), n: 1.5 };
    expect(completions('w.sp', { root })).toEqual([{ candidate: 'w.spin', type: 'method' }]);
    expect(completions('w.si', { root })).toEqual([{ candidate: 'w.size', type: 'property' }]);
    expect(names(completions('n.toF', { root }))).toEqual(['n.toFixed']);
  });

  it('completes real chains: process.mem, globalThis.process.versions.no', () => {
    expect(completions('process.mem')).toEqual([{ candidate: 'process.memoryUsage', type: 'method' }]);
    expect(completions('globalThis.process.versions.no')).toEqual([
      { candidate: 'globalThis.process.versions.node', type: 'property' },
    ]);
  });

  it('never calls functions or evaluates: calls and indexing of app values complete nothing', () => {
    let called = 0;
    const root = { f: () => ({ bar: (called++, 1) }), arr: [{ x: 1 }], store: { list: () => [{ name: (called++, 'x') }] } };
    expect(completions('f().ba', { root })).toEqual([]);
    expect(completions('arr[0].x', { root })).toEqual([]);
    expect(completions('store.list()[0].na', { root })).toEqual([]);
    expect(completions('missing.x', { root })).toEqual([]);
    expect(completions('f(', { root })).toEqual([]);
    expect(called).toBe(0);
  });

  it('gives no candidates through a getter that throws or a null', () => {
    const root = fixture();
    expect(completions('boom.', { root })).toEqual([]);
    expect(completions('boom.x.y', { root })).toEqual([]);
    expect(completions('nothing.', { root })).toEqual([]);
    expect(completions('nothing?.x', { root })).toEqual([]);
    // Listing the root does not run the throwing getter into an exception.
    expect(typeOf(completions('boo', { root }), 'boom')).toBe('var');
  });

  it('lists huge arrays and typed arrays without their indices', () => {
    const root = fixture();
    const arr = completions('big.', { root });
    const bytes = completions('bytes.', { root });
    expect(names(arr).some((n) => /^big\.\d/.test(n) || /^big\[/.test(n))).toBe(false);
    expect(names(arr)[0]).toBe('big.length');
    expect(names(arr)).toContain('big.push');
    expect(names(bytes)).toContain('bytes.subarray');
    expect(names(bytes).some((n) => /\.\d/.test(n))).toBe(false);
  });
});

describe('module names', () => {
  it("completes built-in modules inside require(' with the full replacement text", () => {
    const got = completions("require('fs");
    expect(names(got)).toEqual(["require('fs", "require('fs/promises"]);
    expect(got.every((c) => c.type === 'module')).toBe(true);
  });

  it('works in import(, with other quotes, with text before, and node: names', () => {
    expect(names(completions('import("node:pat'))).toEqual(['import("node:path', 'import("node:path/posix', 'import("node:path/win32']);
    expect(names(completions("const u = require('uti"))).toEqual(["const u = require('util", "const u = require('util/types"]);
    expect(names(completions("import fs from 'node:fs/p"))).toEqual(["import fs from 'node:fs/promises"]);
  });

  it('hides the underscore-prefixed legacy modules unless asked for', () => {
    expect(names(completions("require('")).some((n) => n.includes("'_"))).toBe(false);
    expect(names(completions("require('_http_a"))).toEqual(["require('_http_agent"]);
  });
});

describe('safety', () => {
  it('runs no trap of a Proxy root: only keywords and declared names', () => {
    let traps = 0;
    const trap = () => {
      traps++;
      throw new Error('trap');
    };
    const root = new Proxy({}, { get: trap, has: trap, ownKeys: trap, getOwnPropertyDescriptor: trap, getPrototypeOf: trap });
    expect(completions('a', { root, declared: ['abc'] })).toEqual([
      { candidate: 'abc', type: 'var' },
      { candidate: 'async', type: 'keyword' },
      { candidate: 'await', type: 'keyword' },
    ]);
    expect(completions('x.y', { root })).toEqual([]);
    expect(traps).toBe(0);
  });

  it('does not look into a Proxy member, even one whose traps would hang', () => {
    const hang = (): never => {
      for (;;);
    };
    const root = Object.assign(Object.create(null) as object, {
      p: new Proxy({}, { get: hang, ownKeys: hang, getPrototypeOf: hang, getOwnPropertyDescriptor: hang }),
    });
    expect(completions('p.', { root })).toEqual([]);
    expect(completions('p.a.b', { root })).toEqual([]);
    expect(completions('p', { root })).toEqual([{ candidate: 'p', type: 'var' }]);
  });

  it('caps the number of candidates at limit (default 1000)', () => {
    const root: Record<string, number> = {};
    for (let i = 0; i < 5000; i++) root[`key${i}`] = i;
    expect(completions('key', { root })).toHaveLength(1000);
    expect(names(completions('key', { root, limit: 3 }))).toEqual(['key0', 'key1', 'key10']);
    expect(completions('', { root, limit: 0 })).toEqual([]);
  });

  it('never throws on odd input', () => {
    expect(() => completions(undefined as unknown as string)).not.toThrow();
    expect(completions('a.b.c.d.e.f.g.h')).toEqual([]);
    expect(completions('x'.repeat(100_000) + '.')).toEqual([]);
    expect(completions('.', { root: fixture() })).toEqual([]);
    expect(completions('a..b', { root: fixture() })).toEqual([]);
    const badText = { toString: () => { throw new Error('no text'); } };
    expect(completions(badText as unknown as string)).toEqual([]);
    const badNames = { *[Symbol.iterator]() { throw new Error('no names'); } };
    expect(completions('x', { root: {}, declared: badNames })).toEqual([]);
    expect(completions('x', null as unknown as undefined)).toEqual([]);
  });
});
