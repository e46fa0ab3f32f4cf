/**
 * Main-thread side of one host call: batches the call's events into
 * evalReply messages for the worker. Output is coalesced (adjacent chunks of
 * the same stream merge) and flushed on the next turn of the event loop, when
 * 20 ms have passed since the last flush (so a long synchronous loop still
 * streams), at 64 KB, and before any other event.
 */
import type { ToWorker } from '../agent/channel';
import { agentWork } from './capture';

type Event = Record<string, unknown>;

const FLUSH_BYTES = 64 * 1024;
const FLUSH_MS = 20;

/** Most output (characters) posted to the worker and not yet handed to a socket; more is dropped. */
export const MAX_OUTPUT_IN_FLIGHT = 8 * 1024 * 1024;
/** Slot of the shared eval flag that counts output in flight (nrepl/interrupt.ts has slots 0 and 1). */
export const IN_FLIGHT_SLOT = 2;

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
  finalSent = false;

  constructor(
    private readonly post: (m: ToWorker) => void,
    readonly call: number,
    /** Stamped on output so late output (after the call is final) still finds its connection. */
    private readonly tag: { conn?: number; id?: string; session?: string } = {},
  ) {}

  /** Queues output of the evaluated code (dropped, and later reported, while the worker is behind). */
  output(stream: 'out' | 'err', text: string): void {
    if (inFlight) {
      if (Atomics.load(inFlight, IN_FLIGHT_SLOT) > MAX_OUTPUT_IN_FLIGHT) {
        this.droppedChars += text.length;
        return;
      }
      if (this.droppedChars > 0) {
        const dropped = this.droppedChars;
        this.droppedChars = 0;
        this.output('err', `nrepl-ts: dropped ${dropped} characters of output: the client could not keep up\n`);
      }
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
