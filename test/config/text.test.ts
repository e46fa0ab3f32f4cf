import { describe, expect, it } from 'vitest';
import { editDistance, nearest, showValue } from '../../src/shared/config/text';

describe('showValue prints a value for "got X" on one short line', () => {
  it.each([
    ['abc', '"abc"'],
    [42, '42'],
    [true, 'true'],
    [null, 'nil'],
    [undefined, 'nothing'],
    [() => 1, 'a function'],
    [Symbol('s'), 'a symbol'],
    [10n, '10'],
    [[1, 'a'], '[1,"a"]'],
    [{ a: 1 }, '{"a":1}'],
    ['line\nbreak', '"line\\nbreak"'],
  ])('%s → %s', (value, shown) => {
    expect(showValue(value)).toBe(shown);
  });

  it('cuts long values', () => {
    expect(showValue('x'.repeat(100))).toBe(`"${'x'.repeat(57)}..."`);
    expect(showValue(Array(50).fill(1))).toHaveLength(60);
    expect(showValue('x'.repeat(100), Infinity)).toHaveLength(102);
  });

  it('survives values JSON cannot print', () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(showValue(loop)).toBe('a map');
    expect(showValue([loop])).toBe('a list');
  });
});

describe('nearest suggests a known word for a typo', () => {
  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('prot', 'port')).toBe(1);
    expect(editDistance('port', 'port')).toBe(0);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('suggests only close words, ignoring case', () => {
    const known = ['port', 'address', 'accept', 'max-connections'];
    expect(nearest('prot', known)).toBe('port');
    expect(nearest('PORT', known)).toBe('port');
    expect(nearest('acept', known)).toBe('accept');
    expect(nearest('max_conections', known)).toBe('max-connections');
    expect(nearest('transport', known)).toBeUndefined();
    expect(nearest('x', known)).toBeUndefined();
  });
});
