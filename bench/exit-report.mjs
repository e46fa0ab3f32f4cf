#!/usr/bin/env node
// What the exit check (src/main/exit-report.ts) costs a process that exits
// at once with a VALID configuration: the check runs on the main thread at
// 'exit' whenever the agent worker has not reported the config yet.
//
//   node bench/exit-report.mjs [--runs 30] [--baseline /path/to/old/register.js]
//
// `--baseline` is the register.js of a build without the exit check (e.g. a
// copy of main's dist); without it that variant is skipped. Variants run
// interleaved round-robin so machine noise hits all alike; the table gives
// per variant the medians of wall time and of CPU time (user+sys of all the
// child's threads, from bash's `time`) of `node … -e 0`, and the deltas
// against plain node and against the baseline. The goal: "agent, valid
// config" within 5 ms of "baseline agent, valid config". On a loaded machine
// wall time stretches every CPU millisecond; CPU time is the steadier figure.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const register = join(root, 'register.js');
const arg = (name) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const runs = Number(arg('--runs')) || 30;
const baseline = arg('--baseline');
const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('NREPL_') && k !== 'NODE_OPTIONS'));
const cwd = mkdtempSync(join(tmpdir(), 'nrepl-exit-bench-'));
const firstDir = mkdtempSync(join(tmpdir(), 'nrepl-exit-bench-first-'));
const ednDir = mkdtempSync(join(tmpdir(), 'nrepl-exit-bench-edn-'));
const yamlDir = mkdtempSync(join(tmpdir(), 'nrepl-exit-bench-yaml-'));
writeFileSync(join(yamlDir, '.nreplrc.yaml'), 'servers:\n  repl:\n    port: 0\n    accept: nrepl-ts/repl\n');
writeFileSync(join(ednDir, '.nrepl.edn'), '{:servers {repl {:port 0 :accept nrepl-ts/repl} nrepl {:port 0 :address "127.0.0.1" :accept nrepl-ts/nrepl}}}\n');
const valid = { NREPL_SERVER_REPL: '{:port 0 :accept nrepl-ts/repl}' };

const variants = [
  { name: 'node (no agent)', args: [], env: {}, cwd },
  ...(baseline ? [{ name: 'baseline agent, valid env config', args: ['--import', baseline], env: valid, cwd }] : []),
  { name: 'agent, valid env config', args: ['--import', register], env: valid, cwd },
  // NREPL_REGISTRY=off writes no verdict (shared/config/verdicts.ts): every exit checks in full, as a config's first run does.
  { name: 'agent, valid env config, first run (not remembered)', args: ['--import', register], env: { ...valid, NREPL_REGISTRY: 'off' }, cwd: firstDir },
  ...(baseline ? [{ name: 'baseline agent, valid .nrepl.edn', args: ['--import', baseline], env: {}, cwd: ednDir }] : []),
  { name: 'agent, valid .nrepl.edn', args: ['--import', register], env: {}, cwd: ednDir },
  ...(baseline ? [{ name: 'baseline agent, valid .nreplrc.yaml', args: ['--import', baseline], env: {}, cwd: yamlDir }] : []),
  { name: 'agent, valid .nreplrc.yaml', args: ['--import', register], env: {}, cwd: yamlDir },
  { name: 'agent, no config', args: ['--import', register], env: {}, cwd },
  { name: 'agent, invalid env config (reports)', args: ['--import', register], env: { NREPL_SERVER_REPL: '{:prot 0 :accept nrepl-ts/repl}' }, cwd },
];

// bash's `time` gives the child's wall, user and sys seconds (all threads).
const timed = ['--norc', '--noprofile', '-c', 'TIMEFORMAT="%3R %3U %3S"; { time "$@" >/dev/null 2>&1; } 2>&1', 'bash'];
// A "valid" variant that prints anything would measure an error report, not the valid path.
for (const v of variants.filter((x) => / valid /.test(x.name))) {
  const r = spawnSync(process.execPath, [...v.args, '-e', '0'], { cwd: v.cwd, env: { ...baseEnv, ...v.env }, encoding: 'utf8' });
  if (r.stderr !== '') throw new Error(`${v.name} is not quiet: ${r.stderr}`);
}
const wallSamples = variants.map(() => []);
const cpuSamples = variants.map(() => []);
for (let i = 0; i < runs + 2; i++) {
  variants.forEach((v, k) => {
    const r = spawnSync('bash', [...timed, process.execPath, ...v.args, '-e', '0'], { cwd: v.cwd, env: { ...baseEnv, ...v.env, BASH_ENV: '' }, encoding: 'utf8' });
    const [real, user, sys] = r.stdout.trim().split(/\s+/).map(Number);
    if (r.status !== 0 || Number.isNaN(sys)) throw new Error(`${v.name} failed: ${r.stdout} ${r.stderr}`);
    if (i < 2) return; // two warm-up rounds
    wallSamples[k].push(real * 1000);
    cpuSamples[k].push((user + sys) * 1000);
  });
}
for (const dir of [cwd, firstDir, ednDir, yamlDir]) rmSync(dir, { recursive: true, force: true });

const med = wallSamples.map(median);
const cpu = cpuSamples.map(median);
const f = (x) => (x >= 0 ? '+' : '') + x.toFixed(1);
console.log(`Exit cost, ${runs} interleaved runs each, Node ${process.version}, ${cpus().length} cores, load ${loadavg()[0].toFixed(1)}, ${new Date().toISOString()}\n`);
// Against the baseline, the median of the round-by-round differences: each round runs both within
// a few hundred ms, so drift of the machine cancels, which a difference of two medians does not.
const pairedDelta = (samples, k, base) => median(samples[k].map((x, i) => x - samples[base][i]));
console.log('| variant | wall (ms) | Δ wall vs node | wall ratio vs node | Δ wall vs baseline (paired) | CPU (ms) | Δ CPU vs baseline (paired) |');
console.log('|---|---|---|---|---|---|---|');
const kind = (name) => ['.nrepl.edn', '.nreplrc.yaml'].find((x) => name.includes(x)) ?? 'env config';
variants.forEach((v, k) => {
  const base = variants.findIndex((w) => w.name.startsWith('baseline') && kind(w.name) === kind(v.name));
  const compare = base >= 0 && v.name.startsWith('agent, valid');
  console.log(`| ${v.name} | ${med[k].toFixed(1)} | ${f(med[k] - med[0])} | ${(med[k] / med[0]).toFixed(2)} | ${compare ? f(pairedDelta(wallSamples, k, base)) : ''} | ${cpu[k].toFixed(0)} | ${compare ? f(pairedDelta(cpuSamples, k, base)) : ''} |`);
});
