import { describe, expect, it } from 'vitest';
import { heapStopMessage, heapVerdict, MIN_EVAL_GROWTH_BYTES } from '../../src/worker/nrepl/heap-guard';

const MB = 1024 * 1024;
const LIMIT = 512 * MB;

describe('heapVerdict', () => {
  it('stops a grown eval past 80 % of the limit', () => {
    expect(heapVerdict({ used: 420 * MB, floor: 20 * MB, previous: 419 * MB }, LIMIT)).toBe('fraction');
  });

  it('stops an eval on course to reach the limit within four polls, past half of it', () => {
    expect(heapVerdict({ used: 300 * MB, floor: 20 * MB, previous: 245 * MB }, LIMIT)).toBe('on-course');
    expect(heapVerdict({ used: 300 * MB, floor: 20 * MB, previous: 260 * MB }, LIMIT)).toBe('ok');
    expect(heapVerdict({ used: 250 * MB, floor: 20 * MB, previous: 150 * MB }, LIMIT), 'below half').toBe('ok');
  });

  it('never stops an eval that has not grown the heap past the young generation, garbage or not', () => {
    const floor = 450 * MB;
    expect(heapVerdict({ used: floor + MIN_EVAL_GROWTH_BYTES - 1, floor, previous: floor }, LIMIT)).toBe('ok');
    expect(heapVerdict({ used: floor + MIN_EVAL_GROWTH_BYTES, floor, previous: floor }, LIMIT)).toBe('fraction');
  });

  it('needs two readings for a growth rate', () => {
    expect(heapVerdict({ used: 300 * MB, floor: 20 * MB, previous: undefined }, LIMIT)).toBe('ok');
  });
});

describe('heapStopMessage', () => {
  it('names the cause, the figures and what is left', () => {
    expect(heapStopMessage({ usedMb: 420, limitMb: 512 })).toBe(
      "nrepl-ts: evaluation stopped: the host's heap reached 80 % of its limit (420 MB of 512 MB); what the evaluation stored in variables still holds its memory\n",
    );
    expect(heapStopMessage({ usedMb: 300, limitMb: 512, growthMb: 50 })).toBe(
      "nrepl-ts: evaluation stopped: the host's heap was about to reach its limit (300 MB of 512 MB, growing 50 MB every 20 ms); what the evaluation stored in variables still holds its memory\n",
    );
  });
});
