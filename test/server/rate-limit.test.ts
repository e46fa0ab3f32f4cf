// Unit tests of server/rate-limit.ts with a hand-driven clock and timers.
import { describe, expect, it } from 'vitest';
import { RateLimitedLog } from '../../src/worker/server/rate-limit';

function harness() {
  let now = 0;
  const lines: string[] = [];
  const timers: Array<{ at: number; fn: () => void; live: boolean }> = [];
  const log = new RateLimitedLog({
    intervalMs: 10_000,
    write: (l) => lines.push(l),
    now: () => now,
    setTimer: (fn, ms) => {
      const t = { at: now + ms, fn, live: true };
      timers.push(t);
      return { cancel: () => (t.live = false) };
    },
  });
  /** Moves the clock to `to`, firing due timers in order. */
  const advance = (to: number) => {
    for (;;) {
      const due = timers.filter((t) => t.live && t.at <= to).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      now = due.at;
      due.live = false;
      due.fn();
    }
    now = to;
  };
  const pending = () => timers.filter((t) => t.live).length;
  return { log, lines, advance, pending };
}

const summary = (n: number, s: number) => `refused ${n} connections in the last ${s} s (max-connections 64)`;

describe('RateLimitedLog', () => {
  it('writes the first event at once, counts the rest, and summarizes once per interval', () => {
    const h = harness();
    for (let i = 0; i < 24_700; i += 1) h.log.note('a', `refused client ${i}`, summary);
    expect(h.lines).toEqual(['refused client 0']);
    h.advance(10_000);
    expect(h.lines).toEqual(['refused client 0', 'refused 24699 connections in the last 10 s (max-connections 64)']);
  });

  it('keeps limiting while the flood goes on: one summary per interval, never a full line again', () => {
    const h = harness();
    h.log.note('a', 'first', summary);
    for (let t = 1_000; t < 35_000; t += 1_000) {
      h.advance(t);
      h.log.note('a', 'again', summary);
    }
    h.advance(60_000);
    expect(h.lines[0]).toBe('first');
    expect(h.lines.slice(1)).toEqual([
      'refused 9 connections in the last 10 s (max-connections 64)',
      'refused 10 connections in the last 10 s (max-connections 64)',
      'refused 10 connections in the last 10 s (max-connections 64)',
      'refused 5 connections in the last 10 s (max-connections 64)',
    ]);
    expect(h.pending(), 'a quiet interval forgets the key: no timer left').toBe(0);
  });

  it('after a quiet interval, the next event is written in full again', () => {
    const h = harness();
    h.log.note('a', 'one', summary);
    h.advance(25_000);
    h.log.note('a', 'two', summary);
    expect(h.lines).toEqual(['one', 'two']);
  });

  it('keys are independent', () => {
    const h = harness();
    h.log.note('a', 'a1', summary);
    h.log.note('b', 'b1', summary);
    h.log.note('a', 'a2', summary);
    expect(h.lines).toEqual(['a1', 'b1']);
  });
});
