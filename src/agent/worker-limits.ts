/**
 * The agent worker's heap bound: `resourceLimits.maxOldGenerationSizeMb` of
 * the worker, from NREPL_WORKER_HEAP_MB or the default. Pure: the
 * environment is passed in.
 *
 * Why a bound at all: with resourceLimits, a worker that runs out of heap is
 * terminated on its own and the host lives on (agent/host.ts reports it);
 * without them, V8's out-of-memory handler in the worker aborts the whole
 * process. The bound covers the worker's JavaScript heap only (sockets'
 * Buffers live outside it and have their own limits in the server specs).
 */

/** Heap of the agent worker when NREPL_WORKER_HEAP_MB is not set, in MB. */
export const DEFAULT_WORKER_HEAP_MB = 256;
/** Smallest accepted NREPL_WORKER_HEAP_MB: below it the worker cannot load its own code. */
export const MIN_WORKER_HEAP_MB = 16;

/**
 * Longest printed value (UTF-16 code units) the main thread hands to a worker
 * with `heapMb` of heap; longer ones are cut. resourceLimits end the worker
 * cleanly only for heap that grows step by step: V8 grants a worker 16 MB past
 * its limit to finish, and one allocation beyond that (a 300 MB string arriving
 * whole) aborts the entire process. A value in flight costs the worker about
 * three copies (the string, a flattened concatenation, the encoder's view), so
 * 1/16 of its heap keeps the largest one far from the edge.
 */
export function maxValueChars(heapMb: number): number {
  return Math.floor((heapMb * 1024 * 1024) / 16);
}

/** The worker's old-generation limit in MB, and the line to print when the variable was unusable. */
export function workerHeapMb(env: Record<string, string | undefined>): { mb: number; problem?: string } {
  const raw = env.NREPL_WORKER_HEAP_MB;
  if (raw === undefined || raw.trim() === '') return { mb: DEFAULT_WORKER_HEAP_MB };
  const text = raw.trim();
  const mb = Number(text);
  if (/^\d+$/.test(text) && Number.isSafeInteger(mb) && mb >= MIN_WORKER_HEAP_MB) return { mb };
  return {
    mb: DEFAULT_WORKER_HEAP_MB,
    problem: `NREPL_WORKER_HEAP_MB: expected a whole number of megabytes, at least ${MIN_WORKER_HEAP_MB}, got ${JSON.stringify(raw)}; using ${DEFAULT_WORKER_HEAP_MB} (fix or unset the variable)`,
  };
}
