import { describe, expect, it } from 'vitest';
import { inspect } from 'node:util';
import {
  applyQuota,
  chunk,
  DEFAULT_BUFFER_SIZE,
  describeError,
  isTruthy,
  MAX_CAUSES,
  printValue,
  resolvePrintOptions,
  type PrinterName,
} from '../../src/shared/print/print';

const P = 'nrepl.middleware.print/';
const withOptions = (options: unknown, extra: Record<string, unknown> = {}) =>
  resolvePrintOptions({ op: 'eval', [`${P}options`]: options, ...extra });
const print = (value: unknown, printer: PrinterName = 'inspect', options = {}) => printValue(value, { printer, options });
const EMOJI = '😀'; // one code point, two UTF-16 code units
/**
 * A flat (sequential) string, as read from a file or socket. 'x'.repeat()
 * builds a rope that the first charCodeAt flattens, and that copy would be
 * timed instead of the code under test.
 */
const flat = (s: string, times: number): string => Buffer.from(s.repeat(times), 'utf8').toString('utf8');

describe('isTruthy', () => {
  it('is false only for absent, null and the empty list (bencode nil)', () => {
    for (const v of [undefined, null, []]) expect(isTruthy(v), inspect(v)).toBe(false);
  });

  it('is true for everything else, even "false" and 0', () => {
    for (const v of ['false', 0, 1, '1', 'true', '', ['x'], {}, Buffer.alloc(0)]) expect(isTruthy(v), inspect(v)).toBe(true);
  });
});

describe('resolvePrintOptions', () => {
  it('defaults: inspect, colors off, not streamed, 1024-unit chunks, no quota, no problems', () => {
    expect(resolvePrintOptions({ op: 'eval', code: '1' })).toEqual({
      printer: 'inspect',
      options: { colors: false },
      stream: false,
      bufferSize: DEFAULT_BUFFER_SIZE,
      quota: undefined,
      problems: [],
    });
    expect(DEFAULT_BUFFER_SIZE).toBe(1024);
  });

  it.each([
    ['inspect', 'inspect'],
    ['json', 'json'],
    ['string', 'string'],
    ['nrepl-ts/inspect', 'inspect'],
    ['nrepl-ts/json', 'json'],
    ['nrepl-ts/string', 'string'],
    ['cider.nrepl.pprint/pr', 'inspect'],
    ['clojure.core/pr', 'inspect'],
    ['clojure.core/prn', 'inspect'],
    ['nrepl.util.print/pr', 'inspect'],
  ])('printer %s resolves to %s with inspect defaults', (name, printer) => {
    const r = resolvePrintOptions({ [`${P}print`]: name });
    expect(r).toMatchObject({ printer, options: { colors: false }, problems: [] });
    expect(r.options.compact).toBeUndefined();
  });

  it.each([
    'cider.nrepl.pprint/pprint',
    'cider.nrepl.pprint/clojure-pprint',
    'cider.nrepl.pprint/orchard-pprint',
    'cider.nrepl.pprint/puget-pprint',
    'cider.nrepl.pprint/fipp-pprint',
    'cider.nrepl.pprint/zprint',
    'cider.nrepl.pprint/zprint-pprint',
    'clojure.pprint/pprint',
    'nrepl.util.print/pprint',
  ])('pprint-style printer %s breaks only what does not fit 72 columns', (name) => {
    const r = resolvePrintOptions({ [`${P}print`]: name });
    expect(r).toMatchObject({ printer: 'inspect', options: { breakLength: 72, colors: false }, problems: [] });
    expect(printValue([1, 2, 3], r).text).toBe('[ 1, 2, 3 ]');
    expect(printValue({ a: 1 }, r).text).toBe('{ a: 1 }');
    const wide = { items: [{ id: 1, title: 'buy milk', done: false }, { id: 2, title: 'write the report for monday', done: true }] };
    expect(printValue(wide, r).text).toBe(
      "{\n  items: [\n    { id: 1, title: 'buy milk', done: false },\n    { id: 2, title: 'write the report for monday', done: true }\n  ]\n}",
    );
  });

  it('an unknown printer keeps the default and reports it', () => {
    const r = resolvePrintOptions({ [`${P}print`]: 'my.ns/fancy' });
    expect(r.printer).toBe('inspect');
    expect(r.problems).toEqual(["Couldn't resolve printer my.ns/fancy"]);
    expect(resolvePrintOptions({ [`${P}print`]: 42 }).problems).toEqual(["Couldn't resolve printer 42"]);
  });

  it('a nil printer (empty list, Calva null i0e) or a raw-bytes name is accepted quietly', () => {
    for (const v of [[], 0, null]) expect(resolvePrintOptions({ [`${P}print`]: v }).problems).toEqual([]);
    expect(resolvePrintOptions({ [`${P}print`]: Buffer.from('json') }).printer).toBe('json');
  });

  it('explicit options win over the pprint defaults', () => {
    const r = resolvePrintOptions({ [`${P}print`]: 'cider.nrepl.pprint/pprint', [`${P}options`]: { compact: 3 } });
    expect(r.options.compact).toBe(3);
  });

  it('stream? follows the reference truthiness', () => {
    for (const v of ['1', 'true', 1, 0, 'false']) expect(withOptions(undefined, { [`${P}stream?`]: v }).stream).toBe(true);
    for (const v of [undefined, null, []]) expect(withOptions(undefined, { [`${P}stream?`]: v }).stream).toBe(false);
  });

  it('buffer-size and quota take integers or their strings; 0 and nil mean the default', () => {
    const r = withOptions(undefined, { [`${P}buffer-size`]: '64', [`${P}quota`]: 1000 });
    expect([r.bufferSize, r.quota, r.problems]).toEqual([64, 1000, []]);
    const zero = withOptions(undefined, { [`${P}buffer-size`]: 0, [`${P}quota`]: [] });
    expect([zero.bufferSize, zero.quota, zero.problems]).toEqual([1024, undefined, []]);
  });

  it('bad buffer-size and quota keep their defaults and are reported', () => {
    const r = withOptions(undefined, { [`${P}buffer-size`]: -5, [`${P}quota`]: 'lots' });
    expect([r.bufferSize, r.quota]).toEqual([1024, undefined]);
    expect(r.problems).toEqual([
      `Invalid ${P}buffer-size: expected a non-negative integer, got -5`,
      `Invalid ${P}quota: expected a non-negative integer, got "lots"`,
    ]);
  });

  it('reads every inspect option key', () => {
    const r = withOptions({
      depth: 4,
      colors: 1,
      compact: 5,
      breakLength: 100,
      maxArrayLength: 10,
      maxStringLength: 20,
      sorted: 'true',
      showHidden: '1',
      getters: 'get',
      numericSeparator: true,
      unknownKey: 'ignored',
    });
    expect(r.options).toEqual({
      depth: 4,
      colors: true,
      compact: 5,
      breakLength: 100,
      maxArrayLength: 10,
      maxStringLength: 20,
      sorted: true,
      showHidden: true,
      getters: 'get',
      numericSeparator: true,
    });
    expect(r.problems).toEqual([]);
  });

  it.each([
    [1, true],
    [0, false],
    ['true', true],
    ['false', false],
    ['1', true],
    ['0', false],
    ['yes', true],
    ['OFF', false],
    [true, true],
    [false, false],
    [[], false],
    ['nil', false],
  ])('flag value %j is %s (option values are booleans, not request flags)', (v, expected) => {
    expect(withOptions({ sorted: v, colors: v, getters: v }).options).toMatchObject({
      sorted: expected,
      colors: expected,
      getters: expected,
    });
  });

  it('compact: 0/1 are Calva booleans, integers >= 2 are util.inspect numbers', () => {
    expect(withOptions({ compact: 0 }).options.compact).toBe(false);
    expect(withOptions({ compact: 1 }).options.compact).toBe(true);
    expect(withOptions({ compact: '2' }).options.compact).toBe(2);
    expect(withOptions({ compact: 'false' }).options.compact).toBe(false);
  });

  it.each([
    [3, 3],
    ['7', 7],
    [0, 0],
    [[], Infinity],
    ['nil', Infinity],
    ['null', Infinity],
    ['Infinity', Infinity],
    [null, Infinity],
  ])('limit value %j is %s (nil means no limit)', (v, expected) => {
    expect(withOptions({ depth: v, maxArrayLength: v, maxStringLength: v }).options).toMatchObject({
      depth: expected,
      maxArrayLength: expected,
      maxStringLength: expected,
    });
  });

  it('CIDER and Calva keys are aliases; the inspect name wins', () => {
    expect(withOptions({ 'right-margin': 72, length: 5, level: 3 }).options).toMatchObject({
      breakLength: 72,
      maxArrayLength: 5,
      depth: 3,
    });
    expect(withOptions({ width: 90, 'print-length': 6, 'print-level': 2 }).options).toMatchObject({
      breakLength: 90,
      maxArrayLength: 6,
      depth: 2,
    });
    expect(withOptions({ 'seq-limit': 7, 'max-length': 8, 'max-depth': 9 }).options).toMatchObject({
      maxArrayLength: 7,
      depth: 9,
    });
    expect(withOptions({ depth: 1, level: 5 }).options.depth).toBe(1);
  });

  it('a width of 0 (Calva null) keeps the default break length', () => {
    expect(withOptions({ width: 0 }).options.breakLength).toBeUndefined();
  });

  it('bad option values are reported with key, expectation and value, and skipped', () => {
    const r = withOptions({ depth: 'deep', colors: 'maybe', compact: -1, getters: ['x'], level: 2 });
    expect(r.options).toEqual({ colors: false }); // `level` is not consulted when `depth` is given
    expect(r.problems).toEqual([
      'Invalid print option depth: expected a non-negative integer or nil for no limit, got "deep"',
      'Invalid print option colors: expected true or false, got "maybe"',
      'Invalid print option compact: expected true, false or an integer >= 2, got -1',
      'Invalid print option getters: expected true, false, "get" or "set", got [ \'x\' ]',
    ]);
  });

  it('options that are not a dict are reported, nil ones ignored', () => {
    expect(withOptions('depth=3').problems).toEqual([`Invalid ${P}options: expected a dict, got "depth=3"`]);
    for (const v of [[], 0, null]) expect(withOptions(v).problems).toEqual([]);
  });
});

describe('printValue', () => {
  it('inspect uses util.inspect defaults, without colors', () => {
    expect(print(1)).toEqual({ text: '1' });
    expect(print('hi')).toEqual({ text: "'hi'" });
    expect(print(undefined)).toEqual({ text: 'undefined' });
    expect(print({ a: { b: { c: { d: 1 } } } }).text).toBe('{ a: { b: { c: [Object] } } }');
    expect(print([1, 2], 'inspect', { colors: true }).text).toBe(inspect([1, 2], { colors: true }));
    expect(print([1, 2], 'inspect', { colors: true }).text).toContain('\u001b[33m');
  });

  it('inspect applies resolved options', () => {
    const r = withOptions({ depth: 'nil', maxArrayLength: 2, numericSeparator: 1, compact: 'true' });
    expect(printValue({ a: { b: { c: { d: [1000, 2, 3] } } } }, r).text).toBe(
      '{ a: { b: { c: { d: [ 1_000, 2, ... 1 more item ] } } } }',
    );
  });

  it('json prints with a 2-space indent', () => {
    expect(print({ a: [1, 'x'] }, 'json')).toEqual({ text: '{\n  "a": [\n    1,\n    "x"\n  ]\n}' });
    expect(print('s', 'json').text).toBe('"s"');
    expect(print(null, 'json').text).toBe('null');
  });

  it('json follows JSON rules for nested undefined, functions and symbols, and uses toJSON', () => {
    expect(print({ u: undefined, f() {}, s: Symbol('x'), a: [undefined] }, 'json').text).toBe(
      '{\n  "a": [\n    null\n  ]\n}',
    );
    expect(print(new Date(0), 'json').text).toBe('"1970-01-01T00:00:00.000Z"');
  });

  it('json falls back to inspect, without error, for what JSON cannot represent', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const deepCycle: Record<string, unknown> = { x: { y: {} } };
    (deepCycle.x as { y: Record<string, unknown> }).y.back = deepCycle.x;
    for (const v of [undefined, () => 1, Symbol('s'), 10n, { n: [1n] }, cyclic, deepCycle]) {
      expect(print(v, 'json'), inspect(v)).toEqual({ text: inspect(v) });
    }
    expect(print(cyclic, 'json', { depth: 0 }).text).toBe(inspect(cyclic, { depth: 0 }));
  });

  it('json does not mistake a shared (non-cyclic) reference for a cycle', () => {
    const shared = { v: 1 };
    expect(JSON.parse(print({ a: shared, b: [shared, shared] }, 'json').text)).toEqual({ a: { v: 1 }, b: [{ v: 1 }, { v: 1 }] });
  });

  it('string uses String(value)', () => {
    expect(print('plain\ntext', 'string')).toEqual({ text: 'plain\ntext' });
    expect(print([1, 2], 'string').text).toBe('1,2');
    expect(print(Symbol('s'), 'string').text).toBe('Symbol(s)');
    expect(print({ toString: () => 'custom' }, 'string').text).toBe('custom');
  });

  it('a throwing custom inspect gives an error and the value without custom inspectors', () => {
    const v = { a: 1, [inspect.custom]: () => { throw new TypeError('no\ninspect'); } };
    const r = print(v);
    expect(r.error).toBe("Couldn't print the value with printer inspect: TypeError: no inspect");
    expect(r.text).toBe(inspect(v, { customInspect: false }));
  });

  it('throwing toJSON, toString and getters give an error, never a throw', () => {
    const json = print({ toJSON() { throw new Error('bad json'); } }, 'json');
    expect(json.error).toBe("Couldn't print the value with printer json: Error: bad json");
    const getter = print({ get boom() { throw new RangeError('getter'); } }, 'json');
    expect(getter.error).toBe("Couldn't print the value with printer json: RangeError: getter");
    expect(getter.text).toBe('{ boom: [Getter] }');
    const str = print({ toString() { throw new Error('nope'); } }, 'string');
    expect(str.error).toContain('Error: nope');
    const nullProto = print(Object.create(null), 'string');
    expect(nullProto).toEqual({
      text: '[Object: null prototype] {}',
      error: "Couldn't print the value with printer string: TypeError: Cannot convert object to primitive value",
    });
    const getters = print({ get g() { throw new Error('g'); } }, 'inspect', { getters: true });
    expect(getters.error ?? getters.text).toMatch(/g/);
  });

  it('Proxies whose traps all throw still print something', () => {
    const trap = () => { throw new Error('trap'); };
    const proxy = new Proxy({ a: 1 }, { get: trap, getPrototypeOf: trap, ownKeys: trap, has: trap, getOwnPropertyDescriptor: trap });
    expect(print(proxy)).toEqual({ text: '{ a: 1 }' });
    for (const printer of ['json', 'string'] as const) {
      const r = print(proxy, printer);
      expect(r.error).toBe(`Couldn't print the value with printer ${printer}: Error: trap`);
      expect(r.text).toBe('{ a: 1 }');
    }
  });

  it('falls back to [unprintable: ...] when even plain inspect throws', () => {
    const v = { get [Symbol.toStringTag]() { throw new Error('tag'); } };
    const major = Number(process.versions.node.split('.')[0]);
    if (major >= 24) {
      // Node 24's util.inspect no longer throws on a throwing toStringTag getter: it prints it.
      expect(print(v)).toEqual({ text: '{ Symbol(Symbol.toStringTag): [Getter] }' });
    } else {
      expect(print(v)).toEqual({
        text: '[unprintable: Error: tag]',
        error: "Couldn't print the value with printer inspect: Error: tag",
      });
    }
  });

  it('an error thrown by a printer whose own message throws is still summarized', () => {
    const evil = new Proxy(new Error('x'), { get: () => { throw new Error('again'); } });
    const v = { [inspect.custom]: () => { throw evil; } };
    const r = print(v);
    expect(r.error).toMatch(/^Couldn't print the value with printer inspect: /);
    expect(typeof r.text).toBe('string');
  });
});

describe('applyQuota', () => {
  it('leaves text within the quota, or without one, alone', () => {
    expect(applyQuota('abc', 3)).toEqual({ text: 'abc', truncated: false });
    expect(applyQuota('abc', undefined)).toEqual({ text: 'abc', truncated: false });
    expect(applyQuota('abc', Infinity)).toEqual({ text: 'abc', truncated: false });
    expect(applyQuota('abc', NaN)).toEqual({ text: 'abc', truncated: false });
  });

  it('cuts to the quota in UTF-16 code units, appending nothing', () => {
    expect(applyQuota('abcdef', 4)).toEqual({ text: 'abcd', truncated: true });
    expect(applyQuota('abc', 0)).toEqual({ text: '', truncated: true });
    expect(applyQuota('abc', -2)).toEqual({ text: '', truncated: true });
    expect(applyQuota('é'.repeat(5), 2).text).toBe('éé');
  });

  it('never splits a surrogate pair at the boundary', () => {
    const s = `ab${EMOJI}cd`; // a b \ud83d \ude00 c d
    expect(applyQuota(s, 3)).toEqual({ text: 'ab', truncated: true });
    expect(applyQuota(s, 4)).toEqual({ text: `ab${EMOJI}`, truncated: true });
    expect(applyQuota(s, 2)).toEqual({ text: 'ab', truncated: true });
    expect(applyQuota(EMOJI, 1)).toEqual({ text: '', truncated: true });
  });

  it('cuts a 10 MB value', () => {
    const big = flat('x', 10 * 1024 * 1024);
    const r = applyQuota(big, 1024 * 1024);
    expect(r).toEqual({ text: 'x'.repeat(1024 * 1024), truncated: true });
  });
});

describe('chunk', () => {
  it('splits into chunks of at most size code units, in order', () => {
    expect(chunk('abcdefg', 3)).toEqual(['abc', 'def', 'g']);
    expect(chunk('abcdef', 3)).toEqual(['abc', 'def']);
    expect(chunk('ab', 5)).toEqual(['ab']);
    expect(chunk('ab', Infinity)).toEqual(['ab']);
  });

  it('always returns at least one chunk', () => {
    expect(chunk('', 10)).toEqual(['']);
  });

  it('treats sizes below 1, NaN and fractions sensibly', () => {
    expect(chunk('abc', 0)).toEqual(['a', 'b', 'c']);
    expect(chunk('abc', -4)).toEqual(['a', 'b', 'c']);
    expect(chunk('abc', NaN)).toEqual(['a', 'b', 'c']);
    expect(chunk('abcde', 2.9)).toEqual(['ab', 'cd', 'e']);
  });

  it('never splits a surrogate pair', () => {
    const s = `a${EMOJI}b${EMOJI}${EMOJI}`;
    for (let size = 1; size <= s.length + 1; size++) {
      const parts = chunk(s, size);
      expect(parts.join('')).toBe(s);
      for (const p of parts) {
        expect(p.length).toBeLessThanOrEqual(Math.max(size, 2));
        expect(p).toBe(Buffer.from(p, 'utf8').toString('utf8')); // no lone surrogates
      }
    }
    expect(chunk(`a${EMOJI}`, 2)).toEqual(['a', EMOJI]);
    expect(chunk(EMOJI.repeat(2), 1)).toEqual([EMOJI, EMOJI]);
  });

  it('chunks a 10 MB value with emoji at every boundary', () => {
    // 1023 ASCII units then an emoji: every 1024-unit cut lands inside a pair.
    const unit = `${'x'.repeat(1023)}${EMOJI}`;
    const big = flat(unit, Math.ceil((10 * 1024 * 1024) / unit.length));
    const parts = chunk(big, 1024);
    expect(parts[0]).toBe('x'.repeat(1023));
    expect(parts[1].startsWith(EMOJI)).toBe(true);
    expect(parts.join('')).toBe(big);
    expect(parts.every((p) => p.length <= 1024)).toBe(true);
  });

  it('quota then chunking: a 10 MB string printed with the string printer', () => {
    const big = flat('y', 10 * 1024 * 1024);
    const opts = resolvePrintOptions({ [`${P}print`]: 'string', [`${P}quota`]: 1024 * 1024, [`${P}stream?`]: '1' });
    const { text, truncated } = applyQuota(printValue(big, opts).text, opts.quota);
    const parts = chunk(text, opts.bufferSize);
    expect(truncated).toBe(true);
    expect(parts).toHaveLength(1024);
  });
});

describe('describeError', () => {
  it('an Error: class name, root is itself, err text is Uncaught + stack', () => {
    const e = new TypeError('bad thing');
    const d = describeError(e);
    expect(d).toEqual({ ex: 'TypeError', rootEx: 'TypeError', text: `Uncaught ${e.stack}\n`, causes: [] });
  });

  it('uses the constructor name for subclasses, then name', () => {
    class ValidationError extends Error {}
    expect(describeError(new ValidationError('v')).ex).toBe('ValidationError');
    const named = Object.assign(Object.create(Error.prototype, { constructor: { value: undefined } }), { name: 'Custom' });
    expect(describeError(named).ex).toBe('Custom');
  });

  it('non-Error values are "Thrown" and inspected', () => {
    expect(describeError('boom')).toEqual({ ex: 'Thrown', rootEx: 'Thrown', text: "Uncaught 'boom'\n", causes: [] });
    expect(describeError(undefined).text).toBe('Uncaught undefined\n');
    expect(describeError({ code: 42 }).text).toBe('Uncaught { code: 42 }\n');
    expect(describeError({ name: 'Error', message: 'lookalike' }).ex).toBe('Thrown');
  });

  it('follows a cause chain: rootEx is the innermost class, one Caused by per cause', () => {
    const root = new RangeError('root');
    const mid = new SyntaxError('mid', { cause: root });
    const top = new Error('top', { cause: mid });
    const d = describeError(top);
    expect(d.ex).toBe('Error');
    expect(d.rootEx).toBe('RangeError');
    expect(d.causes).toEqual([
      { ex: 'SyntaxError', message: 'mid' },
      { ex: 'RangeError', message: 'root' },
    ]);
    expect(d.text).toBe(`Uncaught ${top.stack}\nCaused by: ${mid.stack}\nCaused by: ${root.stack}\n`);
  });

  it('a non-Error cause is inspected and ends the chain', () => {
    const d = describeError(new Error('top', { cause: { reason: 'disk full' } }));
    expect(d.rootEx).toBe('Thrown');
    expect(d.causes).toEqual([{ ex: 'Thrown', message: "{ reason: 'disk full' }" }]);
    expect(d.text.endsWith("\nCaused by: { reason: 'disk full' }\n")).toBe(true);
  });

  it('guards cause cycles', () => {
    const a = new Error('a');
    const b = new TypeError('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    const d = describeError(a);
    expect(d.rootEx).toBe('TypeError');
    expect(d.causes).toHaveLength(1);
    expect(d.text.endsWith('\nCaused by: [circular: a cause shown above]\n')).toBe(true);
    const self = new Error('self');
    (self as { cause?: unknown }).cause = self;
    expect(describeError(self).causes).toEqual([]);
  });

  it(`stops after ${MAX_CAUSES} causes`, () => {
    let e: Error = new EvalError('deepest');
    for (let i = 0; i < 30; i++) e = new Error(`level ${i}`, { cause: e });
    const d = describeError(e);
    expect(d.causes).toHaveLength(MAX_CAUSES);
    expect(d.text.match(/\nCaused by: /g)).toHaveLength(MAX_CAUSES + 1);
    expect(d.text.endsWith(`\nCaused by: [further causes not shown, limit ${MAX_CAUSES}]\n`)).toBe(true);
    expect(d.rootEx).toBe('Error');
  });

  it('an endless chain of fresh causes (a Proxy) stops at the limit', () => {
    const endless = (): Error =>
      new Proxy(new Error('fresh'), { get: (t, k) => (k === 'cause' ? endless() : Reflect.get(t, k)) });
    const d = describeError(endless());
    expect(d.causes).toHaveLength(MAX_CAUSES);
    expect(d.text.endsWith(`[further causes not shown, limit ${MAX_CAUSES}]\n`)).toBe(true);
  });

  it('AggregateError: rootEx is itself; its errors are listed, not followed', () => {
    const inner = new TypeError('inner', { cause: new RangeError('deep') });
    const agg = new AggregateError([inner, 'plain'], 'all failed');
    const d = describeError(agg);
    expect(d.ex).toBe('AggregateError');
    expect(d.rootEx).toBe('AggregateError');
    expect(d.causes).toEqual([]);
    expect(d.text).toBe(
      `Uncaught ${agg.stack}\nAggregated error 1 of 2: ${inner.stack}\nAggregated error 2 of 2: 'plain'\n`,
    );
  });

  it('missing or broken stacks fall back to Class: message', () => {
    const e = new Error('no stack');
    Object.defineProperty(e, 'stack', { get() { throw new Error('stack getter'); } });
    expect(describeError(e).text).toBe('Uncaught Error: no stack\n');
    const empty = new TypeError();
    Object.defineProperty(empty, 'stack', { value: undefined });
    expect(describeError(empty).text).toBe('Uncaught TypeError\n');
  });

  it('a throwing Error.prepareStackTrace does not escape', () => {
    const original = Error.prepareStackTrace;
    Error.prepareStackTrace = () => { throw new Error('prepare'); };
    try {
      const d = describeError(new Error('x'));
      expect(d.ex).toBe('Error');
      expect(d.text.startsWith('Uncaught ')).toBe(true);
      expect(d.text.endsWith('\n')).toBe(true);
    } finally {
      Error.prepareStackTrace = original;
    }
  });

  it('Proxies and objects whose getters all throw still produce something', () => {
    const trap = () => { throw new Error('trap'); };
    const allTraps = { get: trap, getPrototypeOf: trap, ownKeys: trap, has: trap, getOwnPropertyDescriptor: trap };
    const proxiedError = new Proxy(new Error('hidden'), allTraps);
    const d = describeError(proxiedError);
    expect(d.text.startsWith('Uncaught ')).toBe(true);
    expect(d.text.endsWith('\n')).toBe(true);
    expect(typeof d.ex).toBe('string');

    const plain = new Proxy({}, allTraps);
    expect(describeError(plain)).toMatchObject({ ex: 'Thrown', rootEx: 'Thrown' });

    const getters = Object.create(Error.prototype, {
      constructor: { get: trap },
      name: { get: trap },
      message: { get: trap },
      stack: { get: trap },
      cause: { get: trap },
    });
    expect(describeError(getters)).toEqual({ ex: 'Error', rootEx: 'Error', text: 'Uncaught Error\n', causes: [] });

    const evilMessage = new Error('x');
    Object.defineProperty(evilMessage, 'stack', { value: '' });
    Object.defineProperty(evilMessage, 'message', { value: { toString: trap, [inspect.custom]: trap } });
    expect(describeError(evilMessage).text).toMatch(/^Uncaught Error: /);
  });

  it('errors from another realm are still Errors', async () => {
    const { runInNewContext } = await import('node:vm');
    const foreign = runInNewContext('new TypeError("elsewhere")') as unknown;
    expect(describeError(foreign)).toMatchObject({ ex: 'TypeError', rootEx: 'TypeError' });
  });
});
