// The short CI version of bench/soak.mjs (run the full one with
// `node bench/soak.mjs`): for 30 s, fuzzed frames from several connections,
// well-formed evals, clients killed mid-eval, hundreds of connections
// opened and dropped, plain-REPL and prepl clients that never read,
// pipelining without reading and hung evals whose clients vanish, against the HTTP fixture with the agent. It passes
// when the host never exited, answered every HTTP check correctly, gave
// every well-formed request exactly one done, logged no internal error, and
// its RSS stayed within 400 MB of its start and stopped growing during the
// run (bench/soak.mjs says why RSS does not fall all the way back).
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ESM script without type declarations
import { runSoak } from '../../bench/soak.mjs';

interface Summary {
  ok: boolean;
  failures: string[];
  framesSent: number;
  wellFormed: number;
  dones: number;
  killed: number;
  churned: number;
  stalled: number;
  pipelined: number;
  hung: number;
  httpChecks: number;
  hostAlive: boolean;
  rss: { startMb: number; peakMb: number; endMb: number };
}

describe('soak (short)', () => {
  it('the host and its HTTP endpoint survive 30 s of fuzzed, well-formed, killed, churned, stalled, pipelined and hung traffic', async () => {
    // The counts below say the run covered each kind of traffic; `atLeast` keeps each kind going
    // past the 30 s (45 s more at most) until it has, so a slow or busy machine lengthens the run
    // instead of failing it.
    const atLeast = { framesSent: 20_001, killed: 21, churned: 301, stalled: 11, pipelined: 2_001, hung: 11 };
    const summary = (await runSoak({ frames: 1_000_000, seconds: 30, atLeast, overtimeS: 45, settleMs: 3_000, seed: Number(process.env.SOAK_SEED ?? 1) })) as Summary;
    const figures = `frames ${summary.framesSent}, stalled ${summary.stalled}, pipelined ${summary.pipelined}, hung ${summary.hung}, well-formed ${summary.wellFormed} (${summary.dones} done), killed ${summary.killed}, churned ${summary.churned}, HTTP checks ${summary.httpChecks}, RSS ${summary.rss.startMb}/${summary.rss.peakMb}/${summary.rss.endMb} MB`;
    expect(summary.failures, figures).toEqual([]);
    expect(summary.hostAlive).toBe(true);
    expect(summary.framesSent, figures).toBeGreaterThan(20_000);
    expect(summary.dones, 'every well-formed request got its done').toBe(summary.wellFormed);
    expect(summary.killed, figures).toBeGreaterThan(20);
    expect(summary.churned, 'hundreds of connections opened and dropped').toBeGreaterThan(300);
    expect(summary.httpChecks, figures).toBeGreaterThan(50);
    expect(summary.stalled, 'REPL and prepl clients that never read').toBeGreaterThan(10);
    expect(summary.pipelined, 'evals pipelined without reading').toBeGreaterThan(2_000);
    expect(summary.hung, 'hung evals whose clients vanished').toBeGreaterThan(10);
  }, 150_000);
});
