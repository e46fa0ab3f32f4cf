// Output capture under a synchronous flood (src/main/eval/capture.ts), in process:
// what evaluated code writes in a loop must cost the host O(1) memory per
// loop, not O(writes). Node's own streams merge the callbacks of writes made
// in one tick into a single process.nextTick; a routed write must not
// schedule one tick per call, since none of them can run before the loop
// ends.
//
// Measured with a 10 s `while (…) console.log('y'.repeat(1e4))` eval: the
// host's RSS grew linearly, ~27 MB/s, to 600 MB with a stalled client, where
// the same loop in a plain node writing to /dev/null stays flat at 52 MB.
// With one tick per burst it plateaus at ~230 MB. What remains (not tested
// here: a process-level RSS test is too sensitive to CPU contention to pass
// or fail reliably in CI) is that nothing bounds the output the main thread
// posts to the agent worker: with a client reading as fast as it can, RSS
// reaches 1.1 GB within 3 s. A prototype with a shared Int32 counter of
// output bytes in flight (the main thread adds what it posts and drops output
// beyond 8 MiB; the worker subtracts what it has sent or shed) kept it at
// ~250 MB while delivering 1.7 GB.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runWithRoute, type OutputRoute } from '../../src/main/eval/capture';

const route: OutputRoute = { out() {}, err() {}, active: true };

afterEach(() => vi.restoreAllMocks());

describe('routed writes in a synchronous loop', () => {
  it('reach the route, not the host stream, and every callback runs once, in order', async () => {
    const seen: string[] = [];
    const order: number[] = [];
    const r: OutputRoute = { out: (t) => seen.push(t), err: () => {}, active: true };
    runWithRoute(r, () => {
      for (let i = 0; i < 1000; i++) process.stdout.write(`${i},`, () => order.push(i));
    });
    expect(seen.join('')).toBe(Array.from({ length: 1000 }, (_, i) => `${i},`).join(''));
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  // Routed write callbacks share one tick per burst (console.log passes one on every call).
  it('schedule a bounded number of ticks, not one per write', () => {
    const spy = vi.spyOn(process, 'nextTick');
    const done = () => {};
    runWithRoute(route, () => {
      // What console.log does: a write with the console's own error callback.
      for (let i = 0; i < 10_000; i++) process.stdout.write('x\n', done);
    });
    const ticks = spy.mock.calls.length;
    spy.mockRestore();
    expect(ticks, '10,000 routed writes in one synchronous loop').toBeLessThan(10);
  });
});
