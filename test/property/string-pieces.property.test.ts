// The string-value printer in pieces (src/shared/print/string-pieces.ts) must
// print exactly what util.inspect prints for the same string and options, on
// every Node it runs on: any UTF-16 (lone surrogates, control characters, all
// three quotes, `${`, newlines), lines longer and shorter than a piece, a
// piece boundary anywhere, and the options that decide line cutting.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { printPieceOptions, stringPieces } from '../../src/shared/print/string-pieces';
import { fc, runs } from './fc';

const atom = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.constantFrom("'", '"', '`', '${', '$', '{', '\n', '\\', '\u0000', '\u001b', '\u007f', '\u0085', '\ud800', '\udc00', '\ud83d\ude00', 'é', 'x'.repeat(40)),
);
const text = fc.array(atom, { maxLength: 40 }).map((parts) => parts.join(''));
const options = fc.record(
  {
    breakLength: fc.oneof(fc.constant(Infinity), fc.integer({ min: 0, max: 200 })),
    compact: fc.oneof(fc.boolean(), fc.integer({ min: 0, max: 5 })),
    depth: fc.integer({ min: 0, max: 4 }),
  },
  { requiredKeys: [] },
);

const whole = (value: string, opts: object) => inspect(value, { ...opts, colors: false, maxStringLength: Infinity });

describe('stringPieces', () => {
  it('joins to util.inspect of the string, for any text, options and piece size', () => {
    fc.assert(
      fc.property(text, options, fc.integer({ min: 1, max: 64 }), (value, opts, pieceChars) => {
        const pieces = [...stringPieces(value, printPieceOptions(opts), pieceChars)];
        expect(pieces.join('')).toBe(whole(value, opts));
      }),
      { numRuns: runs(600) },
    );
  });

  it('keeps every piece near the piece size for a long line it can escape piecewise', () => {
    const value = "it's ".repeat(50_000) + '\u0001';
    const pieces = [...stringPieces(value, printPieceOptions({}), 1000)];
    expect(pieces.join('')).toBe(whole(value, {}));
    // An escaped character is at most 6 characters (\u0001 -> '\x01' is 4, a lone surrogate 6).
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThanOrEqual(6000);
    expect(pieces.length).toBeGreaterThan(200);
  });

  it('prints many lines in groups exactly as inspect cuts and joins them', () => {
    const lines = ['short\n', "it's\n", '"quoted" and \'single\'\n', '\u0001\t tab\n', '😀 é\n', 'x'.repeat(300) + '\n', '\n'];
    const value = Array.from({ length: 3000 }, (_, i) => lines[i % lines.length]).join('') + 'no newline at the end';
    for (const opts of [{}, { breakLength: 20 }, { breakLength: Infinity }, { compact: true }, { compact: 1 }]) {
      expect([...stringPieces(value, printPieceOptions(opts), 1000)].join('')).toBe(whole(value, opts));
    }
  });

  it('prints a line holding all three quotes in pieces too, escaping its quote as the whole line does', () => {
    const value = `'"\``.repeat(10_000) + "it's \u0001 ".repeat(5_000) + '😀'.repeat(3_000);
    const pieces = [...stringPieces(value, printPieceOptions({}), 1000)];
    expect(pieces.join('')).toBe(whole(value, {}));
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThanOrEqual(6000);
  });
});
