// The direct encoder of the common reply shapes (src/nrepl/bencode.ts,
// `directFrame`) must write exactly the bytes the `bencode` package writes:
// any message of strings (any UTF-16, lone surrogates included), safe
// integers, booleans, null/undefined and lists of strings, with or without a
// stamp (id, session, status overriding the message's fields), and messages
// of other shapes too (which take the package's path).
import { beforeAll, describe, expect, it } from 'vitest';
import { encode, encodeByPackage, loadCodec, type Encodable } from '../../src/shared/bencode/bencode';
import { fc, runs } from './fc';

beforeAll(loadCodec);

const text = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.constantFrom('', 'id', 'session', 'status', 'value', 'ns', 'out', '__proto__', 'constructor', 'toString', 'a', 'B', '10', '9', 'é', '\ud800'),
);
const integer = fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.constantFrom(0, -0, -1, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER));
const fastValue: fc.Arbitrary<Encodable> = fc.oneof(text, integer, fc.boolean(), fc.constant(null), fc.constant(undefined), fc.array(text, { maxLength: 5 }));
const otherValue: fc.Arbitrary<Encodable> = fc.oneof(
  fc.array(fc.oneof(integer, fc.constant(null), text), { maxLength: 4 }),
  fc.dictionary(text, fc.oneof(text, integer), { maxKeys: 3 }),
  fc.uint8Array({ maxLength: 8 }).map((a) => Buffer.from(a)),
);

/** defineProperty keeps a "__proto__" key an own data key. */
function dictOf(entries: ReadonlyArray<readonly [string, Encodable]>): Record<string, Encodable> {
  const out: Record<string, Encodable> = {};
  for (const [k, v] of entries) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}
const message = (value: fc.Arbitrary<Encodable>) => fc.array(fc.tuple(text, value), { maxLength: 8 }).map(dictOf);
const stamp = fc.option(
  fc.record({ id: fc.option(text, { nil: undefined }), session: fc.option(text, { nil: undefined }), status: fc.option(fc.array(text, { maxLength: 3 }), { nil: undefined }) }, { requiredKeys: [] }),
  { nil: undefined },
);

/** What the ops did before stamps: copy the message, then set the stamp's defined fields. */
function merged(m: Record<string, Encodable>, s: Record<string, Encodable> | undefined): Record<string, Encodable> {
  const out = dictOf(Object.entries(m));
  for (const [k, v] of Object.entries(s ?? {})) if (v !== undefined) out[k] = v;
  return out;
}

describe('the direct reply encoder', () => {
  it('writes the bytes the bencode package writes, for the reply shapes', () => {
    fc.assert(
      fc.property(message(fastValue), stamp, (m, s) => {
        expect(encode(m, s).equals(encodeByPackage(merged(m, s)))).toBe(true);
      }),
      { numRuns: runs(2000) },
    );
  });

  it('leaves other shapes to the package, with the same bytes', () => {
    fc.assert(
      fc.property(message(fc.oneof(fastValue, otherValue)), stamp, (m, s) => {
        expect(encode(m, s).equals(encodeByPackage(merged(m, s)))).toBe(true);
      }),
      { numRuns: runs(1000) },
    );
  });

  it('still refuses what bencode cannot carry, naming the key', () => {
    expect(() => encode({ value: 1.5 })).toThrow(/cannot encode 1\.5 at "value"/);
    expect(() => encode({ ok: 'x' }, { id: 2 ** 60 })).toThrow(/at "id"/);
  });
});
