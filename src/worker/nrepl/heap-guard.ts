/**
 * The heap guard: stops an eval whose synchronous part is filling the host's
 * heap (`const a = []; while (true) a.push(new Array(1e6))`) before V8's
 * heap limit kills the whole host.
 *
 * While an eval's synchronous part runs on the main thread (the shared eval
 * flag holds its call: nrepl/interrupt.ts), the worker asks for the main
 * thread's heap every POLL_MS through an inspector session. Inspector
 * messages are served between JavaScript instructions, so the answer comes
 * even while the main thread is stuck in a loop. If the eval has grown the
 * heap and it is past LIMIT_FRACTION of the main thread's heap limit (its
 * old generation: agent/worker-limits.ts), or on course to reach the limit
 * within LOOKAHEAD_POLLS polls, the eval is terminated exactly as `interrupt`
 * does it.
 *
 * The reading includes garbage not yet collected; it cannot be confirmed by a
 * forced GC first, because V8 runs the inspector's collectGarbage only once
 * the stack is empty, that is after the very loop we want to stop. Hence an
 * eval is stopped only once it has grown the heap by more than the young
 * generation holds (`heapVerdict`): a long eval that does not allocate is
 * never stopped, but one that allocates 24 MB or more in a heap still full of
 * garbage may be (a false alarm), and a bomb started with the heap already
 * near the line gets 24 MB less room.
 *
 * What it costs, and what it cannot do:
 * - it costs nothing when no eval runs, and no inspector traffic while an eval
 *   only awaits: evals shorter than POLL_MS are never polled;
 * - it cannot stop allocation in code that is not an eval's synchronous part
 *   (after an await, in a timer or promise the eval started, in the host's own
 *   code): terminating there kills the process (nrepl/interrupt.ts);
 * - it cannot free what the eval kept (a top-level `const a` stays), and it
 *   cannot see allocation faster than POLL_MS can: one giant allocation
 *   (`new Array(2 ** 31)`) still hits the limit between two polls.
 *
 * The session is connected only for one poll: a session left connected makes
 * Node print "Waiting for the debugger to disconnect" when the host exits.
 *
 * The heap limit comes from the main thread, read when the agent starts
 * (agent/gate.ts), through a slot of the shared eval flag.
 */
import { HOST_HEAP_MB, RUNNING } from '../../seam/eval-slots';

const MB = 1024 * 1024;

/** Slot of the shared eval flag with the main thread's old-generation limit in MB (0: not known yet). */
export const HEAP_LIMIT_SLOT = HOST_HEAP_MB;
/** Share of the main thread's heap limit past which a synchronous eval is stopped. */
export const LIMIT_FRACTION = 0.8;
/** How often the heap is read while an eval runs synchronously. */
export const POLL_MS = 20;
/**
 * An eval is also stopped when, growing as fast as since the last poll, it would reach
 * the limit within this many polls. Near the limit V8 collects garbage back to back and
 * answers polls late, so on a small heap 20 % of headroom can go between two answers.
 */
export const LOOKAHEAD_POLLS = 4;
/**
 * How far an eval must have grown the heap above its lowest reading before it can be
 * stopped: the young generation's active semi-space (16 MB) fills and empties on its own,
 * so growth within it says nothing, while the reading includes garbage (see above).
 */
export const MIN_EVAL_GROWTH_BYTES = 24 * 1024 * 1024;

/** Readings of one eval's heap, in bytes. */
export interface HeapSample {
  used: number;
  /** The lowest reading since this eval was first polled. */
  floor: number;
  /** The reading of the previous poll of this eval, if any. */
  previous: number | undefined;
}

/**
 * Whether to stop the eval: 'fraction' past LIMIT_FRACTION of `limit`, 'on-course' when,
 * past half of it and growing as fast as since the previous poll, it would reach `limit`
 * within LOOKAHEAD_POLLS polls; 'ok' otherwise, and always while the eval has grown the
 * heap by less than MIN_EVAL_GROWTH_BYTES: a long eval that does not allocate, in a heap
 * still full of garbage, is never stopped. Pure.
 */
export function heapVerdict(sample: HeapSample, limit: number): 'ok' | 'fraction' | 'on-course' {
  const { used, floor, previous } = sample;
  if (used - floor < MIN_EVAL_GROWTH_BYTES) return 'ok';
  if (used > LIMIT_FRACTION * limit) return 'fraction';
  const growth = previous === undefined ? 0 : used - previous;
  if (growth > 0 && used > limit / 2 && used + LOOKAHEAD_POLLS * growth > limit) return 'on-course';
  return 'ok';
}

/** What the guard saw when it stopped an eval. */
export interface HeapReading {
  usedMb: number;
  limitMb: number;
  /** Set when the eval was stopped for its growth rate (MB per poll) before reaching the fraction. */
  growthMb?: number;
}

/** The message an eval stopped by the guard sends on `err`. */
export function heapStopMessage(r: HeapReading): string {
  const why =
    r.growthMb === undefined
      ? `the host's heap reached ${Math.round(LIMIT_FRACTION * 100)} % of its limit (${r.usedMb} MB of ${r.limitMb} MB)`
      : `the host's heap was about to reach its limit (${r.usedMb} MB of ${r.limitMb} MB, growing ${r.growthMb} MB every ${POLL_MS} ms)`;
  return `nrepl-ts: evaluation stopped: ${why}; what the evaluation stored in variables still holds its memory\n`;
}

type Stop = (call: number) => Promise<boolean>;
type Inspector = typeof import('node:inspector');

/** Worker side: watches the evals that run now and stops the one filling the heap. */
export class HeapGuard {
  private readonly watched = new Map<number, (reading: HeapReading) => void>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  /** Readings of the eval that runs: its lowest so far and the last one. */
  private seen: { call: number; floor: number; previous: number | undefined } | undefined;
  private inspector: Inspector | undefined | null;

  /**
   * @param flag the shared eval flag: [0] the call running synchronously, [HEAP_LIMIT_SLOT] the limit.
   * @param stop terminates `call` if, and only if, its synchronous part still runs (nrepl/interrupt.ts).
   */
  constructor(
    private readonly flag: Int32Array,
    private readonly stop: Stop,
  ) {}

  /** Guards `call` until the returned function is called; `onStopped` runs if the guard stopped it. */
  watch(call: number, onStopped: (reading: HeapReading) => void): () => void {
    if (this.flag.length <= HEAP_LIMIT_SLOT) return () => {};
    this.watched.set(call, onStopped);
    this.schedule();
    return () => {
      this.watched.delete(call);
      if (this.watched.size === 0 && this.timer) {
        clearTimeout(this.timer);
        this.timer = undefined;
      }
    };
  }

  private schedule(): void {
    if (this.timer || this.polling || this.watched.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.poll().finally(() => {
        this.polling = false;
        this.schedule();
      });
    }, POLL_MS);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    this.polling = true;
    const call = Atomics.load(this.flag, RUNNING);
    const limitMb = Atomics.load(this.flag, HEAP_LIMIT_SLOT);
    // Only a watched eval's synchronous part can be stopped safely; anything else is left alone.
    if (call <= 0 || limitMb <= 0 || !this.watched.has(call)) return;
    const used = await this.mainThreadHeap();
    if (used === undefined) return;
    const seen = this.seen?.call === call ? this.seen : { call, floor: used, previous: undefined };
    const verdict = heapVerdict({ used, floor: seen.floor, previous: seen.previous }, limitMb * MB);
    this.seen = { call, floor: Math.min(seen.floor, used), previous: used };
    if (verdict === 'ok') return;
    const onStopped = this.watched.get(call);
    if (!onStopped || !(await this.stop(call))) return;
    const growthMb = verdict === 'on-course' && seen.previous !== undefined ? Math.round((used - seen.previous) / MB) : undefined;
    onStopped({ usedMb: Math.round(used / MB), limitMb, growthMb });
  }

  /** The main thread's used heap (garbage included), or undefined without an inspector. */
  private mainThreadHeap(): Promise<number | undefined> {
    const inspector = this.loadInspector();
    if (!inspector) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const session = new inspector.Session();
      const finish = (used: number | undefined) => {
        session.disconnect();
        resolve(used);
      };
      try {
        session.connectToMainThread();
      } catch {
        resolve(undefined);
        return;
      }
      session.post('Runtime.getHeapUsage', (err, r) => finish(err ? undefined : (r as { usedSize?: number } | undefined)?.usedSize));
    });
  }

  private loadInspector(): Inspector | undefined {
    if (this.inspector === undefined) {
      try {
        this.inspector = require('node:inspector') as Inspector;
      } catch {
        // Node built without the inspector: no guard.
        this.inspector = null;
      }
    }
    return this.inspector ?? undefined;
  }
}
