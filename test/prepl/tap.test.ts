import { afterEach, describe, expect, it } from 'vitest';
import { tap as publicTap } from '../../src/index';
import { setTapSender, tap } from '../../src/main/eval/tap';
import { setTapListeners } from '../../src/main/eval/tap-sender';
import type { ToWorker } from '../../src/seam/channel';

afterEach(() => setTapSender(undefined));

describe('tap', () => {
  it('is a no-op returning false while no prepl client listens', () => {
    let printed = false;
    const value = {
      get x() {
        printed = true;
        return 1;
      },
    };
    expect(tap(value)).toBe(false);
    expect(printed).toBe(false);
    expect(publicTap).toBe(tap);
  });

  it('with listeners, prints only the formats someone reads and posts them to the host connection', () => {
    const posted: ToWorker[] = [];
    setTapListeners({ conn: 7, edn: 1, json: 0 }, (m) => posted.push(m));
    expect(tap({ a: [1, 2] })).toBe(true);
    expect(posted).toEqual([{ t: 'evalReply', call: 0, events: [{ conn: 7, tap: { edn: '{:a [1 2]}' } }], final: false }]);

    setTapListeners({ conn: 7, edn: 1, json: 2 }, (m) => posted.push(m));
    tap(new Set([1]));
    const last = posted[posted.length - 1] as Extract<ToWorker, { t: 'evalReply' }>;
    expect(last.events[0].tap).toEqual({ edn: '#{1}', json: '{"val":"Set(1) { 1 }","data":[1]}' });

    setTapListeners({ conn: 7, edn: 0, json: 0 }, (m) => posted.push(m));
    const before = posted.length;
    expect(tap(1)).toBe(false);
    expect(posted).toHaveLength(before);
  });

  it('state is shared through globalThis, so another copy of the package taps the same listeners', () => {
    const posted: ToWorker[] = [];
    setTapListeners({ conn: 1, edn: 1, json: 0 }, (m) => posted.push(m));
    const slot = (globalThis as unknown as Record<symbol, { send?: (v: unknown) => void }>)[Symbol.for('nrepl-ts.tap')];
    slot.send!('from another copy');
    expect(posted).toHaveLength(1);
  });

  it('never throws, even when sending fails', () => {
    setTapSender(() => {
      throw new Error('post failed');
    });
    expect(tap(1)).toBe(true);
  });
});
