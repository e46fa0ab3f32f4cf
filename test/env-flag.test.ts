import { describe, expect, it } from 'vitest';
import { envFlag, OFF_VALUES } from '../src/env-flag';

describe('envFlag', () => {
  it('is off when unset, empty, or spelled 0/false/no/off in any case and with blanks', () => {
    for (const v of [undefined, '', ' ', '0', 'false', 'no', 'off', 'OFF', ' False ', 'No\n']) expect(envFlag(v)).toBe(false);
  });

  it('is on for every other value, not just 1/true/yes/on', () => {
    for (const v of ['1', 'true', 'yes', 'on', 'TRUE', ' on ', '2', 'verbose', 'offf', '00']) expect(envFlag(v)).toBe(true);
  });

  it('lists exactly the off spellings it honours', () => {
    expect([...OFF_VALUES]).toEqual(['', '0', 'false', 'no', 'off']);
  });
});
