// The cursor over printed text in pieces (src/shared/print/text-cursor.ts)
// must give exactly the chunks and the truncation that applyQuota and chunk
// (src/shared/print/options.ts) give for the whole text, however the text is
// cut into pieces, for any size and quota (surrogate pairs at every cut).
import { describe, expect, it } from 'vitest';
import { applyQuota, chunk } from '../../src/shared/print/options';
import { TextCursor } from '../../src/shared/print/text-cursor';
import { cutAt, cutFractions, fc, runs } from './fc';

const text = fc.array(fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('\ud83d\ude00', '\ud800', '\udc00', 'é')), { maxLength: 30 }).map((p) => p.join(''));

describe('TextCursor', () => {
  it('reads the runs chunk and applyQuota give for the whole text', () => {
    fc.assert(
      fc.property(
        text,
        cutFractions,
        fc.integer({ min: 0, max: 12 }),
        fc.oneof(fc.constant(undefined), fc.constant(Infinity), fc.integer({ min: 0, max: 80 })),
        (value, cuts, size, quota) => {
          const pieces = cutAt(value.length, cuts, (start, end) => value.slice(start, end));
          const cursor = new TextCursor(pieces[Symbol.iterator](), quota);
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
