import { describe, expect, it } from 'vitest';
import { SERVER_FIELD_RULES, TLS_FIELD_RULES, SERVER_FIELDS, KEY_ALIASES } from '../../src/shared/config/rules';
import { serverFieldSchemas, tlsFieldSchemas } from '../../src/shared/config/schema';

// Values around each rule's edges; the zod schemas are built from the rules, so both must agree on all of them.
const SAMPLES: unknown[] = [
  '', 'x', ' ', 'nrepl-ts/repl', 'nrepl-ts/rpl', './a.js#h', './a.js#', 'a b', 0, 1, -1, 1.5, 65535, 65536, 2_147_483_647, 2_147_483_648,
  Number.MAX_SAFE_INTEGER, NaN, Infinity, true, false, null, undefined, [], [1], {}, { a: 1 }, new Date(0), () => 1,
];

describe('rules.ts predicates are the zod schemas\' rules', () => {
  it.each(SERVER_FIELDS)('server field %s', (field) => {
    for (const value of SAMPLES) {
      expect([value, SERVER_FIELD_RULES[field](value)]).toEqual([value, serverFieldSchemas[field].safeParse(value).success]);
    }
  });

  it.each(Object.keys(TLS_FIELD_RULES) as Array<keyof typeof TLS_FIELD_RULES>)('tls field %s', (field) => {
    for (const value of SAMPLES) {
      expect([value, TLS_FIELD_RULES[field](value)]).toEqual([value, tlsFieldSchemas[field].safeParse(value).success]);
    }
  });

  it('aliases the bind address the same way everywhere', () => {
    expect([KEY_ALIASES.bind, KEY_ALIASES.host]).toEqual(['address', 'address']);
  });
});
