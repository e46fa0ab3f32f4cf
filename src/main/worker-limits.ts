/**
 * The agent worker's heap bound: `resourceLimits.maxOldGenerationSizeMb` of
 * the worker, from NREPL_WORKER_HEAP_MB or, by default, the host's own heap
 * limit (what the worker had before it had a bound: big load-files still
 * work), at least DEFAULT_WORKER_HEAP_MB. Pure: inputs are passed in.
 *
 * Why a bound at all: with resourceLimits, a worker that runs out of heap is
 * terminated on its own and the host lives on (agent/host.ts reports it);
 * without them, V8's out-of-memory handler in the worker aborts the whole
 * process. The bound covers the worker's JavaScript heap only (sockets'
 * Buffers live outside it and have their own limits in the server specs).
 */

/** Least heap of the agent worker when NREPL_WORKER_HEAP_MB is not set, in MB. */
export const DEFAULT_WORKER_HEAP_MB = 256;

/**
 * What V8 keeps of `heap_size_limit` for the young generation (3 semi-spaces of 16 MB on
 * 64-bit Node). A thread dies when its old generation, the rest, is full: with
 * --max-old-space-size=256 heap_size_limit is 304 MB and the end comes at ~256 MB used.
 */
const YOUNG_RESERVE_MB = 48;

/**
 * The heap (MB) at which V8 ends a thread: heap_size_limit less the young-generation
 * reserve (never less than half of it, for exotic flags).
 */
export function oldGenerationLimitMb(heapSizeLimitBytes: number): number {
  const total = Math.floor(heapSizeLimitBytes / (1024 * 1024));
  return Math.max(Math.ceil(total / 2), total - YOUNG_RESERVE_MB);
}
/** Smallest accepted NREPL_WORKER_HEAP_MB: below it the worker cannot load its own code. */
export const MIN_WORKER_HEAP_MB = 16;

/**
 * Longest printed value (UTF-16 code units) the main thread hands whole to a
 * worker with `heapMb` of heap (prepl, plain REPL); longer ones are cut. An
 * nREPL value that long goes in pieces instead (eval/value-streams.ts). resourceLimits end the worker
 * cleanly only for heap that grows step by step: V8 grants a worker 16 MB past
 * its limit to finish, and one allocation beyond that (a 300 MB string arriving
 * whole) aborts the entire process. A value in flight costs the worker about
 * three copies (the string, a flattened concatenation, the encoder's view), so
 * 1/16 of its heap keeps the largest one far from the edge.
 */
export function maxValueChars(heapMb: number): number {
  return Math.floor((heapMb * 1024 * 1024) / 16);
}

/** The worker's old-generation limit in MB (`hostHeapMb`: the host's, from oldGenerationLimitMb), and the line to print when the variable was unusable. */
export function workerHeapMb(env: Record<string, string | undefined>, hostHeapMb: number): { mb: number; problem?: string } {
  const fallback = Math.max(DEFAULT_WORKER_HEAP_MB, hostHeapMb);
  const raw = env.NREPL_WORKER_HEAP_MB;
  if (raw === undefined || raw.trim() === '') return { mb: fallback };
  const text = raw.trim();
  const mb = Number(text);
  if (/^\d+$/.test(text) && Number.isSafeInteger(mb) && mb >= MIN_WORKER_HEAP_MB) return { mb };
  return {
    mb: fallback,
    problem: `NREPL_WORKER_HEAP_MB: expected a whole number of megabytes, at least ${MIN_WORKER_HEAP_MB}, got ${JSON.stringify(raw)}; using ${fallback} (fix or unset the variable)`,
  };
}
