// main/eval/emitter.ts in memory: how one call's events are batched into
// evalReply messages for the worker, and how the shared in-flight budget
// sheds output. The process-level tests (output floods, slow clients) show
// the same through real sockets; these pin the batching rules themselves.
import { afterEach, describe, expect, it } from 'vitest';
import type { ToWorker } from '../../src/seam/channel';
import { newEvalFlag } from '../../src/seam/eval-slots';
import { CallEmitter, IN_FLIGHT_SLOT, MAX_OUTPUT_IN_FLIGHT, shareOutputBudget } from '../../src/main/eval/emitter';

type Reply = Extract<ToWorker, { t: 'evalReply' }>;

function recorder(): { posted: Reply[]; post: (m: ToWorker) => void } {
  const posted: Reply[] = [];
  return {
    posted,
    post: (m) => {
      if (m.t === 'evalReply') posted.push(m);
    },
  };
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

afterEach(() => shareOutputBudget(new Int32Array(0)));

describe('CallEmitter', () => {
  it('merges adjacent output of one stream and posts it on the next turn', async () => {
    const { posted, post } = recorder();
    const emitter = new CallEmitter(post, 7, { conn: 1, id: 'a' });
    emitter.output('out', 'one ');
    emitter.output('out', 'two');
    emitter.output('err', 'oops');
    emitter.output('out', '!');
    expect(posted).toEqual([]);
    await nextTurn();
    expect(posted).toEqual([
      {
        t: 'evalReply',
        call: 7,
        final: false,
        events: [
          { conn: 1, id: 'a', out: 'one two' },
          { conn: 1, id: 'a', err: 'oops' },
          { conn: 1, id: 'a', out: '!' },
        ],
      },
    ]);
  });

  it('posts queued output before an event, and marks the last message final', () => {
    const { posted, post } = recorder();
    const emitter = new CallEmitter(post, 3);
    emitter.output('out', 'printed');
    emitter.event({ ns: 'user' });
    emitter.finish({ value: '2' });
    expect(posted.map((m) => [m.events, m.final])).toEqual([
      [[{ out: 'printed' }, { ns: 'user' }], false],
      [[{ value: '2' }], true],
    ]);
    expect(emitter.finalSent).toBe(true);
  });

  it('never merges an output event into one that carries more than the stream', async () => {
    const { posted, post } = recorder();
    const emitter = new CallEmitter(post, 1);
    emitter.event({ out: 'a', extra: true });
    emitter.output('out', 'b');
    await nextTurn();
    expect(posted.flatMap((m) => m.events)).toEqual([{ out: 'a', extra: true }, { out: 'b' }]);
  });

  it('cuts one huge write into pieces posted as they fill, never splitting a surrogate pair', () => {
    const { posted, post } = recorder();
    const emitter = new CallEmitter(post, 1);
    const text = 'x'.repeat(64 * 1024 - 1) + '😀' + 'y'.repeat(200_000);
    emitter.output('out', text);
    const beforeFinish = posted.length;
    emitter.finish();
    const pieces = posted.flatMap((m) => m.events).map((e) => e.out as string);
    expect(pieces.join('')).toBe(text);
    // Posted while writing, not held until the end: the budget can shed later pieces.
    expect(beforeFinish).toBeGreaterThanOrEqual(2);
    expect(pieces.every((p) => p.isWellFormed() && p.length <= 2 * 64 * 1024)).toBe(true);
  });

  it('counts posted output in the shared slot, and past the budget drops it and says so before the value', () => {
    const flag = newEvalFlag();
    shareOutputBudget(flag);
    const { posted, post } = recorder();
    const emitter = new CallEmitter(post, 1, { conn: 2 });
    emitter.output('out', 'kept');
    expect(Atomics.load(flag, IN_FLIGHT_SLOT)).toBe(4);
    // The worker has not handed 2 × the limit to any socket: everything is shed.
    Atomics.store(flag, IN_FLIGHT_SLOT, 2 * MAX_OUTPUT_IN_FLIGHT + 1);
    emitter.output('out', 'lost');
    emitter.output('err', 'lost too');
    emitter.finish({ value: 'nil' });
    expect(posted.flatMap((m) => m.events)).toEqual([
      { conn: 2, out: 'kept' },
      { conn: 2, err: 'nrepl-ts: dropped 12 characters of output: the agent could not pass it on fast enough\n' },
      { value: 'nil' },
    ]);
  });

  it('while congested, lets each call post its own small allowance', () => {
    const flag = newEvalFlag();
    shareOutputBudget(flag);
    Atomics.store(flag, IN_FLIGHT_SLOT, MAX_OUTPUT_IN_FLIGHT + 1);
    const { posted, post } = recorder();
    const quiet = new CallEmitter(post, 1);
    quiet.output('out', 'a few lines\n');
    quiet.finish();
    expect(posted.flatMap((m) => m.events)).toEqual([{ out: 'a few lines\n' }]);
    const flood = new CallEmitter(post, 2);
    for (let i = 0; i < 100; i++) flood.output('out', 'z'.repeat(1024));
    flood.finish();
    const floodText = posted
      .filter((m) => m.call === 2)
      .flatMap((m) => m.events)
      .map((e) => (e.out as string | undefined) ?? '')
      .join('');
    expect(floodText.length).toBe(64 * 1024);
    expect(posted.filter((m) => m.call === 2).flatMap((m) => m.events).some((e) => String(e.err).includes('dropped 36864 characters'))).toBe(true);
  });
});
