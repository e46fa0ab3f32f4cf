#!/usr/bin/env node
// Cost of the heap guard (src/worker/nrepl/heap-guard.ts) on evaluation, measured
// against a build without it, in one run, alternating rounds so both see the
// same machine load.
//
//   node bench/heap-guard.mjs --base /path/to/other/checkout [--quick]
//
// The other checkout must be built (npm run build there). Measures, per build:
// - the round trip of `1` (shorter than a poll: the guard only arms and
//   disarms a timer), median and p99 of sequential evals;
// - the round trip of a CPU-bound eval of ~200 ms that the guard polls about
//   ten times (each poll interrupts the main thread for one heap reading).
// Prints a table; writes nothing.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { fmt, median, percentile, startProcess } from './lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const baseAt = process.argv.indexOf('--base');
if (baseAt < 0) throw new Error('usage: node bench/heap-guard.mjs --base /path/to/a/built/checkout [--quick]');
const base = process.argv[baseAt + 1];
const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 2 : 4;
const SEQ = quick ? 500 : 2000;
const BUSY = quick ? 5 : 10;
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('NREPL_') && k !== 'NODE_OPTIONS'));
const BUSY_CODE = 'let s = 0; for (let i = 0; i < 2e8; i++) s += i % 7; s';

async function measure(checkout) {
  const { connect } = createRequire(import.meta.url)(join(checkout, 'dist/client/client.js'));
  const cwd = mkdtempSync(join(tmpdir(), 'nrepl-bench-guard-'));
  const p = await startProcess(process.execPath, ['--import', join(checkout, 'register.js'), '-e', 'setInterval(() => {}, 1000)'], {
    cwd,
    env: cleanEnv,
    ready: /nREPL server started on port (\d+)/,
  });
  try {
    const c = await connect({ port: Number(p.match[1]) }, { timeoutMs: 60_000 });
    const session = await c.clone();
    for (let i = 0; i < 200; i++) await c.eval('1', { session });
    const quickMs = [];
    for (let i = 0; i < SEQ; i++) {
      const t = performance.now();
      await c.eval('1', { session });
      quickMs.push(performance.now() - t);
    }
    await c.eval(BUSY_CODE, { session });
    const busyMs = [];
    for (let i = 0; i < BUSY; i++) {
      const t = performance.now();
      await c.eval(BUSY_CODE, { session });
      busyMs.push(performance.now() - t);
    }
    await c.end();
    return { quickMs, busyMs };
  } finally {
    p.child.kill('SIGKILL');
  }
}

const all = { guard: { quickMs: [], busyMs: [] }, base: { quickMs: [], busyMs: [] } };
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, checkout] of r % 2 === 0 ? [['guard', root], ['base', base]] : [['base', base], ['guard', root]]) {
    const m = await measure(checkout);
    all[name].quickMs.push(...m.quickMs);
    all[name].busyMs.push(...m.busyMs);
  }
}
const row = (name) => {
  const q = [...all[name].quickMs].sort((a, b) => a - b);
  return `| ${name} | ${fmt(median(q))} | ${fmt(percentile(q, 99))} | ${fmt(median(all[name].busyMs))} |`;
};
console.log(`node ${process.version}, ${ROUNDS} rounds, ${SEQ} evals of \`1\` and ${BUSY} of a ~200 ms loop per round`);
console.log('| build | `1` median ms | `1` p99 ms | busy eval median ms |');
console.log('|---|---|---|---|');
console.log(row('guard'));
console.log(row('base'));
