/**
 * The memory both threads share, slot by slot: one Int32Array that the
 * worker and the main thread read and write with Atomics, for what cannot
 * wait behind queued messages (the main thread may be busy for as long as an
 * evaluation runs).
 *
 * - RUNNING: the main-thread call whose evaluation runs its synchronous part on the
 *   main thread now, 0 when none; -call once the worker has claimed it for
 *   termination (worker/nrepl/interrupter.ts, main/eval/evaluate.ts).
 * - HOST_HEAP_MB: the main thread's old-generation limit in MB, written by the
 *   gate at launch, read by the heap guard (worker/nrepl/heap-guard.ts).
 * - OUTPUT_IN_FLIGHT: characters of output posted by the main thread and not
 *   yet handed to sockets by the worker (main/eval/emitter.ts bounds it).
 * - the cancel ring: calls the worker gave up on before they started. The
 *   worker writes a call into its slot before it tries to claim RUNNING; the
 *   main thread reads the slot after publishing RUNNING, so at least one of
 *   them sees the other (sequentially consistent Atomics): the eval is
 *   skipped, or its termination lands. A ring, not one slot, so a connection
 *   that closes with many queued evals cancels them all; a call overwritten
 *   by a later one sharing its slot merely runs (and is abandoned).
 */

/** The call whose synchronous part runs now (see the module header). */
export const RUNNING = 0;
/** The main thread's old-generation limit in MB. */
export const HOST_HEAP_MB = 1;
/** Output characters in flight from the main thread to the worker. */
export const OUTPUT_IN_FLIGHT = 2;
const RING_START = 3;
const RING_SIZE = 1024;

/** A fresh shared flag for one agent. */
export function newEvalFlag(): Int32Array {
  return new Int32Array(new SharedArrayBuffer((RING_START + RING_SIZE) * 4));
}

/** Marks `call` as given up before it started (worker side). */
export function cancelCall(flag: Int32Array, call: number): void {
  Atomics.store(flag, RING_START + (call % RING_SIZE), call);
}

/** True when the worker gave up on `call` (main side, after publishing RUNNING). */
export function isCancelled(flag: Int32Array, call: number): boolean {
  return flag.length > RING_START && Atomics.load(flag, RING_START + (call % RING_SIZE)) === call;
}
