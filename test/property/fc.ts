/**
 * fast-check, configured once for every property test: a fixed seed so CI
 * runs are reproducible (override with FC_SEED to explore, FC_RUNS to run
 * more cases), and a time budget per property so the whole folder stays
 * well under 20 s on a 2-core machine.
 *
 * A failure prints the seed and the shrunk counterexample; re-run it with
 * `FC_SEED=<seed> npx vitest run test/property`.
 */
import fc from 'fast-check';

export const SEED = Number(process.env.FC_SEED ?? 42);
/** Scales every property's run count (1 = the CI default). */
export const RUNS_SCALE = Number(process.env.FC_RUNS_SCALE ?? 1);

fc.configureGlobal({ seed: SEED, numRuns: Math.max(1, Math.round(200 * RUNS_SCALE)), interruptAfterTimeLimit: 4_000, markInterruptAsFailure: false });

/** A run count for one property, scaled by FC_RUNS_SCALE. */
export function runs(n: number): number {
  return Math.max(1, Math.round(n * RUNS_SCALE));
}

/**
 * Cuts something of `length` at the given fractions of it (sorted, deduplicated),
 * taking each piece with `take(start, end)`; pieces may be empty.
 */
export function cutAt<T>(length: number, cuts: number[], take: (start: number, end: number) => T): T[] {
  const at = [...new Set(cuts.map((c) => Math.floor(c * (length + 1))))].sort((a, b) => a - b);
  const out: T[] = [];
  let prev = 0;
  for (const c of at) {
    out.push(take(prev, c));
    prev = c;
  }
  out.push(take(prev, length));
  return out;
}

/** Fractions to cut at (cutAt). */
export const cutFractions = fc.array(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), { maxLength: 12 });

export { fc };
