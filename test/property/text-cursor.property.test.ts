// The cursor over printed text in pieces (src/shared/print/text-cursor.ts)
// must give exactly the chunks and the truncation that applyQuota and chunk
// (src/shared/print/options.ts) give for the whole text, however the text is
// cut into pieces, for any size and quota (surrogate pairs at every cut).
import { describe, expect, it } from 'vitest';
import { applyQuota, chunk } from '../../src/shared/print/options';
import { TextCursor } from '../../src/shared/print/text-cursor';
import { fc, runs } from './fc';

const text = fc.array(fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('\ud83d\ude00', '\ud800', '\udc00', 'é')), { maxLength: 30 }).map((p) => p.join(''));

function piecesOf(value: string, cuts: number[]): string[] {
  const at = [...new Set(cuts.map((c) => c % (value.length + 1)))].sort((a, b) => a - b);
  const out: string[] = [];
  let start = 0;
  for (const end of at) {
    out.push(value.slice(start, end));
    start = end;
  }
  out.push(value.slice(start));
  return out;
}

describe('TextCursor', () => {
  it('reads the runs chunk and applyQuota give for the whole text', () => {
    fc.assert(
      fc.property(
        text,
        fc.array(fc.nat(200), { maxLength: 8 }),
        fc.integer({ min: 0, max: 12 }),
        fc.oneof(fc.constant(undefined), fc.constant(Infinity), fc.integer({ min: 0, max: 80 })),
        (value, cuts, size, quota) => {
          const cursor = new TextCursor(piecesOf(value, cuts)[Symbol.iterator](), quota);
          const runsRead: string[] = [];
          for (let run = cursor.next(size); run !== undefined; run = cursor.next(size)) runsRead.push(run);
          const expected = applyQuota(value, quota);
          expect(runsRead).toEqual(chunk(expected.text, size));
          expect(cursor.truncated).toBe(expected.truncated);
        },
      ),
      { numRuns: runs(800) },
    );
  });
});
