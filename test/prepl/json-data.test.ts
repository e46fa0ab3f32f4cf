import { describe, expect, it } from 'vitest';
import { jsonData } from '../../src/shared/print/json-data';

const errorToData = (err: object) => ({ error: (err as Error).message });
const data = (v: unknown) => {
  const text = jsonData(v, errorToData);
  return text === undefined ? undefined : JSON.parse(text);
};

describe('jsonData', () => {
  it('follows JSON.stringify for JSON values, toJSON (Dates) and nested undefined/functions/NaN', () => {
    expect(data({ a: [1, 'x', true, null] })).toEqual({ a: [1, 'x', true, null] });
    expect(data(new Date(0))).toBe('1970-01-01T00:00:00.000Z');
    expect(data({ u: undefined, f() {}, a: [undefined, NaN, Infinity] })).toEqual({ a: [null, null, null] });
    expect(data('s')).toBe('s');
    expect(data(0)).toBe(0);
  });

  it('Maps become objects (string keys) or [key, value] pairs; Sets become arrays; Errors use the converter', () => {
    expect(data(new Map([['a', 1], ['b', new Set([1, 2])]]))).toEqual({ a: 1, b: [1, 2] });
    expect(data(new Map<unknown, unknown>([[1, 'x'], ['k', 'y']]))).toEqual([[1, 'x'], ['k', 'y']]);
    expect(data({ e: new Error('boom') })).toEqual({ e: { error: 'boom' } });
  });

  it('has no data for a top-level undefined, function or symbol, any BigInt, or a cycle', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const selfMap = new Map<string, unknown>();
    selfMap.set('me', selfMap);
    for (const v of [undefined, () => 1, Symbol('s'), 1n, { deep: [1n] }, cyclic, selfMap]) {
      expect(jsonData(v, errorToData), String(typeof v)).toBeUndefined();
    }
  });

  it('shared (acyclic) values are fine', () => {
    const shared = { v: 1 };
    expect(data([shared, { s: shared }])).toEqual([{ v: 1 }, { s: { v: 1 } }]);
  });

  it('never throws: a throwing getter or toJSON gives no data', () => {
    expect(
      jsonData(
        {
          get boom() {
            throw new Error('getter');
          },
        },
        errorToData,
      ),
    ).toBeUndefined();
    expect(jsonData({ toJSON: () => { throw new Error('toJSON'); } }, errorToData)).toBeUndefined();
  });
});
