/**
 * Stopping a running eval from the worker while the main thread is busy.
 *
 * A synchronous eval (`while (true) {}`) is stopped with the inspector's
 * Runtime.terminateExecution, which is safe only while the main thread runs
 * the eval's own synchronous part, called from a message-port callback; in a
 * timer or promise job it kills or aborts the process (Node 20–24). A shared
 * flag decides which: the main thread stores the call number while it runs
 * an eval's synchronous part and clears it with compare-and-swap when done.
 * Claiming the flag first (call → -call) guarantees the termination lands in
 * that part: if the main thread finishes meanwhile it sees the claim and
 * spins in the same callback until the termination arrives (eval/evaluate.ts).
 *
 * An eval still queued for the main thread (the interrupt overtook it) is
 * cancelled through a second slot: the worker writes the call there before
 * trying to claim the first, the main thread reads it after publishing the
 * call it starts. Atomics are sequentially consistent, so at least one side
 * sees the other: the eval is skipped, or the termination lands in the
 * spin that waits for it (eval/evaluate.ts).
 *
 * Anything else (an await that never settles, code the eval started in a
 * timer) cannot be stopped safely: the eval is abandoned instead, and the
 * caller is told whether the main thread is still responsive.
 *
 * The heap guard (nrepl/heap-guard.ts) stops evals through the same claim.
 *
 * The inspector session is connected only for the termination: a session
 * left connected makes Node print "Waiting for the debugger to disconnect"
 * when the host exits.
 */
import type { MainThreadLink } from '../main-thread-link';
import { cancelCall, RUNNING } from '../../seam/eval-slots';
import { HeapGuard, type HeapReading } from './heap-guard';

/** How an interrupt went. */
export type InterruptOutcome = 'terminated' | 'abandoned' | 'unsafe';

const PING_TIMEOUT_MS = 250;

/** Interrupts evals on the main thread. */
export class Interrupter {
  private heapGuard: HeapGuard | undefined;

  constructor(
    private readonly flag: Int32Array,
    private readonly mainThread: MainThreadLink,
  ) {}

  /** Stops or abandons `call`. Never throws. */
  async interrupt(call: number): Promise<InterruptOutcome> {
    cancelCall(this.flag, call);
    if (await this.stopSynchronous(call)) return 'terminated';
    this.mainThread.notify('abandon', { target: call });
    return (await this.mainThreadResponds()) ? 'abandoned' : 'unsafe';
  }

  /**
   * Stops `call` for a client that is gone, with nothing to report: cancels
   * it if it has not started, terminates it if its synchronous part runs now,
   * and otherwise abandons it without asking whether the main thread still
   * responds (a connection closing with hundreds of queued evals must not
   * send hundreds of pings).
   */
  async stopForGone(call: number): Promise<void> {
    cancelCall(this.flag, call);
    if (await this.stopSynchronous(call)) return;
    this.mainThread.notify('abandon', { target: call });
  }

  /** Terminates `call` if its synchronous part runs now; false (and nothing done) otherwise. Never throws. */
  async stopSynchronous(call: number): Promise<boolean> {
    if (Atomics.compareExchange(this.flag, RUNNING, call, -call) !== call) return false;
    await terminateMainThreadExecution();
    Atomics.compareExchange(this.flag, RUNNING, -call, 0);
    return true;
  }

  /** Guards `call` against filling the host's heap (heap-guard.ts) until the returned function is called. */
  guardHeap(call: number, onStopped: (reading: HeapReading) => void): () => void {
    this.heapGuard ??= new HeapGuard(this.flag, (c) => this.stopSynchronous(c));
    return this.heapGuard.watch(call, onStopped);
  }

  private mainThreadResponds(): Promise<boolean> {
    return new Promise((resolve) => {
      let answered = false;
      const call = this.mainThread.call('ping', {}, () => {
        answered = true;
        resolve(true);
      });
      setTimeout(() => {
        if (answered) return;
        this.mainThread.forget(call);
        resolve(false);
      }, PING_TIMEOUT_MS);
    });
  }
}

function terminateMainThreadExecution(): Promise<void> {
  return new Promise((resolve) => {
    let session: import('node:inspector').Session;
    try {
      const inspector = require('node:inspector') as typeof import('node:inspector');
      session = new inspector.Session();
      session.connectToMainThread();
    } catch {
      resolve();
      return;
    }
    session.post('Runtime.terminateExecution', () => {
      session.disconnect();
      resolve();
    });
  });
}
