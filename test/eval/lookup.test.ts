import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import inspector from 'node:inspector';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { lookup } from '../../src/main/tooling/lookup';

// The fixture is plain JavaScript written to disk and loaded by Node's own CJS
// loader, so function sources and positions are exactly what is written here
// (test files themselves are transformed by vitest).
const FIXTURE_LINES = [
  "'use strict';",
  '/**',
  ' * Adds two numbers. The rest is ignored.',
  ' * @param a first',
  ' */',
  'function add(a, b = (1, 2), ...rest) { return a + b; }',
  '/** A counter, with {@link add}. */',
  'class Counter extends Map {',
  '  #n = 0;',
  '  static make() {}',
  '  x = this.constructor;',
  '  constructor(start = 0, { step, max } = {}) { super(); this.#n = start + (step ?? 0) + (max ?? 0); }',
  '  inc(by = 1) { return (this.#n += by); }',
  '}',
  'class Sub extends Counter {}',
  'class Plain {}',
  'function multi(',
  '  a,',
  '  b = {',
  '    x: 1,',
  '  },',
  ') {}',
  'const obj = {',
  '  /** Yields things. */',
  '  async *agen(a, [b, c] = [1, 2], d = `x${1},y`) {},',
  "  'quoted key'(q) {},",
  "  [Symbol.for('s')](z = /a,b\\)/) {},",
  '  method(x, y) {},',
  '};',
  'function* gen(a, b) {}',
  '/** Doubles. */',
  'exports.arrow = x => x * 2;',
  'exports.asyncArrow = async (p, q) => p;',
  'exports.asyncOne = async p => p;',
  'exports.fromString = new Function("a", "b", "return a");',
  'Object.assign(exports, { add, Counter, Sub, Plain, multi, obj, gen, bound: add.bind(null, 1) });',
];
const lineOf = (start: string) => FIXTURE_LINES.findIndex((l) => l.startsWith(start)) + 1;

let dir: string;
let fixturePath: string;
let fx: Record<string, unknown>;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nrepl-ts-lookup-'));
  fixturePath = join(dir, 'fixture.js');
  writeFileSync(fixturePath, FIXTURE_LINES.join('\n') + '\n');
  fx = createRequire(fixturePath)(fixturePath) as Record<string, unknown>;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const root = () => ({
  fx,
  num: 42,
  long: 'x'.repeat(1000),
  holder: {
    get bad(): never {
      throw new Error('getter exploded');
    },
  },
});

describe('arglists', () => {
  it.each([
    ['fx.add', '(a, b = (1, 2), ...rest)'],
    ['fx.arrow', '(x)'],
    ['fx.asyncArrow', '(p, q)'],
    ['fx.asyncOne', '(p)'],
    ['fx.gen', '(a, b)'],
    ['fx.obj.agen', '(a, [b, c] = [1, 2], d = `x${1},y`)'],
    ['fx.obj.method', '(x, y)'],
    ['fx.multi', '(a, b = { x: 1, })'],
    ['fx.fromString', '(a, b)'],
    ['fx.Counter', '(start = 0, { step, max } = {})'],
    ['fx.Counter.make', '()'],
    ['fx.Counter.prototype.inc', '(by = 1)'],
    ['fx.Sub', '(start = 0, { step, max } = {})'],
    ['fx.Plain', '()'],
    ['Math.max', '(arg0, arg1)'],
    ['Map', '()'],
  ])('%s → %s', async (sym, params) => {
    const info = await lookup(sym, { root: { ...root(), Math, Map } });
    expect(info?.['arglists-str']).toBe(params);
    expect(info?.arglists).toEqual([params]);
  });

  it('reads methods with quoted and computed keys', async () => {
    const obj = fx.obj as Record<string | symbol, unknown>;
    const r = { quoted: obj['quoted key'], computed: obj[Symbol.for('s')] };
    expect((await lookup('quoted', { root: r }))?.['arglists-str']).toBe('(q)');
    expect((await lookup('computed', { root: r }))?.['arglists-str']).toBe('(z = /a,b\\)/)');
  });
});

describe('kinds and docs', () => {
  it('tells classes from functions and globals from members', async () => {
    const r = { ...root(), add: fx.add, Counter: fx.Counter };
    expect((await lookup('add', { root: r }))?.type).toBe('function');
    expect((await lookup('fx.add', { root: r }))?.type).toBe('method');
    expect((await lookup('Counter', { root: r }))?.type).toBe('class');
    expect((await lookup('fx.Counter', { root: r }))?.type).toBe('class');
    expect((await lookup('num', { root: r }))?.type).toBe('var');
    expect((await lookup('fx.obj', { root: r }))?.type).toBe('property');
  });

  it('takes doc from the first sentence of the comment above, else a signature', async () => {
    const r = root();
    expect((await lookup('fx.add', { root: r }))?.doc).toBe('Adds two numbers.');
    expect((await lookup('fx.Counter', { root: r }))?.doc).toBe('A counter, with add.');
    expect((await lookup('fx.arrow', { root: r }))?.doc).toBe('Doubles.');
    expect((await lookup('fx.obj.agen', { root: r }))?.doc).toBe('Yields things.');
    expect((await lookup('fx.Sub', { root: r }))?.doc).toBe('class Sub extends Counter');
    expect((await lookup('fx.asyncArrow', { root: r }))?.doc).toBe('async function asyncArrow(p, q)');
    expect((await lookup('fx.gen', { root: r }))?.doc).toBe('function* gen(a, b)');
  });

  it('gives values of non-functions, at most 200 characters', async () => {
    const r = root();
    expect(await lookup('num', { root: r })).toEqual({ name: 'num', type: 'var', doc: 'num: number', value: '42' });
    const long = await lookup('long', { root: r });
    expect(long?.value?.length).toBeLessThanOrEqual(200);
    expect(long?.value?.startsWith("'xxx")).toBe(true);
  });

  it('looks up real globals', async () => {
    expect(await lookup('process.versions.node')).toEqual({
      name: 'process.versions.node',
      type: 'property',
      doc: 'process.versions.node: string',
      value: `'${process.versions.node}'`,
    });
    expect((await lookup('Map'))?.type).toBe('class');
    expect((await lookup('process.memoryUsage'))?.type).toBe('method');
    expect((await lookup('setTimeout'))?.doc).toMatch(/^function setTimeout\(callback/);
    expect((await lookup('globalThis.JSON'))?.doc).toBe('globalThis.JSON: Object');
  });

  it('knows keywords and built-in modules', async () => {
    expect(await lookup('await')).toMatchObject({ name: 'await', type: 'keyword' });
    expect((await lookup('const'))?.doc).toMatch(/block-scoped/);
    expect(await lookup('node:fs')).toEqual({ name: 'node:fs', type: 'module', doc: 'Node.js built-in module node:fs' });
    expect(await lookup("require('fs/promises')")).toMatchObject({ name: 'fs/promises', type: 'module' });
    expect(await lookup('node:nope')).toBeUndefined();
  });

  it('gives undefined for unknown symbols and for what is not a chain', async () => {
    const r = root();
    for (const sym of ['nope', 'fx.nope', 'nope.deeper', 'fx.add()', '', 'a b', 'fx..add']) {
      expect(await lookup(sym, { root: r }), sym).toBeUndefined();
    }
  });
});

describe('source location', () => {
  it('finds the file and the line and column where a function is defined', async () => {
    const r = root();
    expect(await lookup('fx.add', { root: r })).toMatchObject({ file: fixturePath, line: lineOf('function add'), column: 1 });
    expect(await lookup('fx.Counter', { root: r })).toMatchObject({ file: fixturePath, line: lineOf('class Counter'), column: 1 });
    expect(await lookup('fx.Counter.prototype.inc', { root: r })).toMatchObject({ line: lineOf('  inc('), column: 3 });
    expect(await lookup('fx.arrow', { root: r })).toMatchObject({ line: lineOf('exports.arrow'), column: 'exports.arrow = '.length + 1 });
    expect(await lookup('fx.bound', { root: r })).toMatchObject({ file: fixturePath, line: lineOf('function add') });
  });

  it('gives no location for built-ins and for functions without a script name', async () => {
    for (const sym of ['Math.max', 'setTimeout', 'fx.fromString']) {
      const info = await lookup(sym, { root: { ...root(), Math, setTimeout } });
      expect(info?.file, sym).toBeUndefined();
      expect(info?.line, sym).toBeUndefined();
    }
  });

  it('disconnects every inspector session it connects, and leaves no temporary global', async () => {
    const connect = vi.spyOn(inspector.Session.prototype, 'connect');
    const disconnect = vi.spyOn(inspector.Session.prototype, 'disconnect');
    try {
      const before = Object.getOwnPropertyNames(globalThis).length;
      await Promise.all([lookup('fx.add', { root: root() }), lookup('fx.Counter', { root: root() }), lookup('setTimeout')]);
      expect(connect.mock.calls.length).toBeGreaterThan(0);
      expect(disconnect.mock.calls.length).toBe(connect.mock.calls.length);
      expect(Object.getOwnPropertyNames(globalThis).length).toBe(before);
    } finally {
      connect.mockRestore();
      disconnect.mockRestore();
    }
  });

  it('leaves no session connected in a real process (built dist/), even under --inspect', () => {
    const dist = resolve(__dirname, '../../dist/main/tooling/lookup.js');
    expect(existsSync(dist), `${dist} is missing: run \`npm run build\` first`).toBe(true);
    const script = `
      const inspector = require('node:inspector');
      let open = 0;
      const { connect, disconnect } = inspector.Session.prototype;
      inspector.Session.prototype.connect = function () { open++; return connect.call(this); };
      inspector.Session.prototype.disconnect = function () { open--; return disconnect.call(this); };
      globalThis.fx = require(${JSON.stringify(fixturePath)});
      const { lookup } = require(${JSON.stringify(dist)});
      Promise.all([lookup('fx.add'), lookup('fx.Counter'), lookup('Map')]).then((infos) => {
        process.stdout.write(JSON.stringify({ open, line: infos[0].line, type: infos[2].type }));
      });`;
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    const child = spawnSync(process.execPath, ['--inspect=127.0.0.1:0', '-e', script], { env, encoding: 'utf8', timeout: 20_000 });
    expect(child.status, child.stderr).toBe(0);
    expect(JSON.parse(child.stdout)).toEqual({ open: 0, line: lineOf('function add'), type: 'class' });
    expect(child.stderr).not.toMatch(/Waiting for the debugger/);
  });
});

describe('safety', () => {
  it('survives getters that throw: the property is known, the chain through it is not', async () => {
    const r = root();
    expect(await lookup('holder.bad', { root: r })).toEqual({ name: 'holder.bad', type: 'property', doc: 'holder.bad: a getter that throws' });
    expect(await lookup('holder.bad.x', { root: r })).toBeUndefined();
  });

  it('runs no Proxy trap, at the root or on a member', async () => {
    let traps = 0;
    const trap = () => {
      traps++;
      throw new Error('trap');
    };
    const handler = { get: trap, has: trap, ownKeys: trap, getOwnPropertyDescriptor: trap, getPrototypeOf: trap, apply: trap };
    expect(await lookup('anything', { root: new Proxy({}, handler) })).toBeUndefined();
    const r = { p: new Proxy({}, handler), pf: new Proxy(() => 1, handler) };
    expect(await lookup('p.x', { root: r })).toBeUndefined();
    expect(await lookup('pf', { root: r })).toEqual({ name: 'pf', type: 'function', doc: 'pf: a Proxy of a function' });
    expect((await lookup('p', { root: r }))?.type).toBe('var');
    expect(traps).toBe(0);
  });
});
