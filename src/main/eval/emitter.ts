/**
 * Main-thread side of one main-thread call: batches the call's events into
 * evalReply messages for the worker. Output is coalesced (adjacent chunks of
 * the same stream merge) and flushed on the next turn of the event loop, when
 * 20 ms have passed since the last flush (so a long synchronous loop still
 * streams), at 64 KB, and before any other event.
 */
import type { ToWorker } from '../../seam/channel';
import { OUTPUT_IN_FLIGHT } from '../../seam/eval-slots';
import { agentWork } from './capture';

type Event = Record<string, unknown>;

const FLUSH_BYTES = 64 * 1024;
const FLUSH_MS = 20;

/**
 * Output (characters) posted to the worker and not yet handed to a socket
 * beyond which an eval's output is dropped once it has used its own
 * allowance; past twice this, all output is dropped. The allowance keeps one
 * client's flood from silencing another client's few lines while the worker
 * is behind; the hard limit bounds the host's memory.
 */
export const MAX_OUTPUT_IN_FLIGHT = 8 * 1024 * 1024;
/** What one call may still post while output is congested (between the limit and twice it). */
const CONGESTED_ALLOWANCE = 64 * 1024;
/** Slot of the shared eval flag that counts output in flight (seam/eval-slots.ts). */
export const IN_FLIGHT_SLOT = OUTPUT_IN_FLIGHT;

let inFlight: Int32Array | undefined;

/**
 * Shares the in-flight counter with the worker. Without it, evaluated code
 * printing in a tight loop could queue output on the worker's port faster
 * than any socket drains it, and the host's memory would grow without bound.
 */
export function shareOutputBudget(flag: Int32Array): void {
  inFlight = flag.length > IN_FLIGHT_SLOT ? flag : undefined;
}

/** Events of one call. */
export class CallEmitter {
  private batch: Event[] = [];
  private pendingBytes = 0;
  private scheduled = false;
  private lastFlush = performance.now();
  private droppedChars = 0;
  private postedWhileCongested = 0;
  finalSent = false;

  constructor(
    private readonly post: (m: ToWorker) => void,
    readonly call: number,
    /** Stamped on output so late output (after the call is final) still finds its connection. */
    private readonly tag: { conn?: number; id?: string; session?: string } = {},
  ) {}

  /** Queues output of the evaluated code (dropped, and later reported, while the worker is behind). */
  output(stream: 'out' | 'err', text: string): void {
    if (text.length > FLUSH_BYTES) {
      // One huge write (console.log of 300 MB) must reach the worker in pieces: a single
      // string past the worker's spare heap aborts the process (agent/worker-limits.ts),
      // and pieces let the in-flight budget below shed what the client cannot take.
      for (let at = 0; at < text.length; ) {
        let end = Math.min(text.length, at + FLUSH_BYTES);
        const code = text.charCodeAt(end - 1);
        if (end < text.length && code >= 0xd800 && code <= 0xdbff) end -= 1; // never split a surrogate pair
        this.output(stream, text.slice(at, end));
        at = end;
      }
      return;
    }
    if (inFlight) {
      const pending = Atomics.load(inFlight, IN_FLIGHT_SLOT);
      if (pending > MAX_OUTPUT_IN_FLIGHT) {
        const allowed = pending <= 2 * MAX_OUTPUT_IN_FLIGHT && this.postedWhileCongested + text.length <= CONGESTED_ALLOWANCE;
        if (!allowed) {
          this.droppedChars += text.length;
          return;
        }
        this.postedWhileCongested += text.length;
      } else {
        this.postedWhileCongested = 0;
      }
      this.reportDropped();
      Atomics.add(inFlight, IN_FLIGHT_SLOT, text.length);
    }
    const last = this.batch[this.batch.length - 1];
    if (last && typeof last[stream] === 'string' && Object.keys(last).length === Object.keys(this.tag).length + 1) {
      last[stream] = (last[stream] as string) + text;
    } else {
      this.batch.push({ ...this.tag, [stream]: text });
    }
    this.pendingBytes += text.length;
    if (this.pendingBytes >= FLUSH_BYTES || performance.now() - this.lastFlush >= FLUSH_MS) this.flush();
    else this.schedule();
  }

  /** Sends an event (after any queued output). */
  event(event: Event): void {
    this.batch.push(event);
    this.flush();
  }

  /** Sends the last events of the call. Output may still follow (it is routed by connection). */
  finish(event?: Event): void {
    // A client whose output was shed hears so before its value, not never.
    this.reportDropped();
    if (event) this.batch.push(event);
    this.finalSent = true;
    this.flush(true);
  }

  /** Sends what is queued. */
  flush(final = false): void {
    if (this.batch.length === 0 && !final) return;
    const events = this.batch;
    this.batch = [];
    this.pendingBytes = 0;
    this.lastFlush = performance.now();
    this.post({ t: 'evalReply', call: this.call, events, final });
  }

  private reportDropped(): void {
    if (this.droppedChars === 0) return;
    const dropped = this.droppedChars;
    this.droppedChars = 0;
    this.batch.push({ ...this.tag, err: `nrepl-ts: dropped ${dropped} characters of output: the agent could not pass it on fast enough\n` });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // The agent's own resource: it runs no evaluated code, so it does not keep the output store on.
    agentWork(() =>
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      }).unref(),
    );
  }
}
