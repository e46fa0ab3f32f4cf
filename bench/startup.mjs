#!/usr/bin/env node
// Start-up cost of the preload, measured against plain node in the same run.
//
//   node bench/startup.mjs [--runs 40] [--root /other/checkout] [--compare /other/checkout]
//
// For each variant, interleaved round-robin so machine noise hits all alike:
// - wall: median wall time of `node -e 0` (process spawn to exit);
// - app start: median performance.now() at the app's first line (how long the
//   host waited before its own code ran).
// Reports deltas against plain node and writes bench/results/startup.json.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// --root /other/checkout measures that build's preload instead (before/after comparisons).
const rootArg = process.argv.indexOf('--root');
const register = join(rootArg > 0 ? process.argv[rootArg + 1] : root, 'register.js');
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 40;
const cwd = mkdtempSync(join(tmpdir(), 'nrepl-bench-')); // no config files here
const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('NREPL_') && k !== 'NODE_OPTIONS'));

const variants = [
  { name: 'node (no preload)', args: [], env: {} },
  { name: '--require, NREPL_DISABLE=1', args: ['--require', register], env: { NREPL_DISABLE: '1' } },
  { name: '--import, NREPL_DISABLE=1', args: ['--import', register], env: { NREPL_DISABLE: '1' } },
  { name: '--require, default nREPL server', args: ['--require', register], env: {} },
  { name: '--import, default nREPL server', args: ['--import', register], env: {} },
  { name: '--require, repl server configured', args: ['--require', register], env: { NREPL_SERVER_REPL: '{:port 0 :accept nrepl-ts/repl}' } },
];

const probe = 'process.stdout.write(String(performance.now()))';
const samples = variants.map(() => ({ wall: [], appStart: [] }));
for (let i = 0; i < runs + 3; i++) {
  variants.forEach((v, k) => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [...v.args, '-e', probe], { cwd, env: { ...baseEnv, ...v.env }, encoding: 'utf8' });
    const wall = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${v.name} failed: ${r.stderr}`);
    if (i < 3) return; // warm-up
    samples[k].wall.push(wall);
    samples[k].appStart.push(Number(r.stdout));
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const base = { wall: median(samples[0].wall), appStart: median(samples[0].appStart) };
const rows = variants.map((v, k) => {
  const wall = median(samples[k].wall);
  const appStart = median(samples[k].appStart);
  return { variant: v.name, wallMs: wall, wallDeltaMs: wall - base.wall, appStartMs: appStart, appStartDeltaMs: appStart - base.appStart };
});

const f = (x) => (x >= 0 ? '+' : '') + x.toFixed(1);
console.log(`Start-up cost, ${runs} runs each, Node ${process.version}, ${cpus().length} cores, ${new Date().toISOString()}\n`);
console.log('| variant | wall median (ms) | Δ wall | app start median (ms) | Δ app start |');
console.log('|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.variant} | ${r.wallMs.toFixed(1)} | ${f(r.wallDeltaMs)} | ${r.appStartMs.toFixed(1)} | ${f(r.appStartDeltaMs)} |`);

// Start-up CPU of an app that stays up: process.cpuUsage() (every thread) 1.5 s in, when the
// agent's server is listening and its worker is idle, against the same app without the agent.
const stay = 'setTimeout(() => { const u = process.cpuUsage(); process.stdout.write(String((u.user + u.system) / 1000)); }, 1500)';
// A configured server costs less from its second start on: the worker skips zod's check of a
// config found valid before (shared/config/verdicts.ts, kept in the private process folder). So
// the "first start" variant gets a fresh private folder each run, the other one a folder of this
// bench's own that the warm-up run primes. --compare <checkout> adds both for another build.
const runtimeDirs = [];
const runtimeDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'nrepl-bench-run-'));
  chmodSync(dir, 0o700);
  runtimeDirs.push(dir);
  return dir;
};
const sharedRuntime = runtimeDir();
const configured = { NREPL_SERVER_DEV: '{:port 0 :accept nrepl-ts/nrepl}' };
const compareArg = process.argv.indexOf('--compare');
const builds = [{ label: '', register }];
if (compareArg > 0) builds.push({ label: ` [${process.argv[compareArg + 1]}]`, register: join(process.argv[compareArg + 1], 'register.js') });
const cpuVariants = [
  { name: 'app alone', args: [], env: () => ({}) },
  { name: '--import, default nREPL server', args: ['--import', register], env: () => ({ XDG_RUNTIME_DIR: sharedRuntime }) },
  ...builds.flatMap((b) => [
    { name: `--import, configured nREPL server (NREPL_SERVER_DEV), first start of that config${b.label}`, args: ['--import', b.register], env: () => ({ ...configured, XDG_RUNTIME_DIR: runtimeDir() }) },
    { name: `--import, configured nREPL server (NREPL_SERVER_DEV), found valid before${b.label}`, args: ['--import', b.register], env: () => ({ ...configured, XDG_RUNTIME_DIR: sharedRuntime }) },
  ]),
];
const cpuRuns = Math.max(5, Math.round(runs / 4));
const cpu = cpuVariants.map(() => []);
for (let i = 0; i < cpuRuns + 1; i++) {
  cpuVariants.forEach((v, k) => {
    const r = spawnSync(process.execPath, [...v.args, '-e', stay], { cwd, env: { ...baseEnv, ...v.env() }, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${v.name} failed: ${r.stderr}`);
    if (i > 0) cpu[k].push(Number(r.stdout));
  });
}
const cpuRows = cpuVariants.map((v, k) => ({ variant: v.name, cpuMs: median(cpu[k]), min: Math.min(...cpu[k]), max: Math.max(...cpu[k]), ratio: median(cpu[k]) / median(cpu[0]) }));
console.log(`\nStart-up CPU of an app that stays up (all threads, 1.5 s in), ${cpuRuns} interleaved runs each\n`);
console.log('| variant | CPU ms median (min–max) | vs the app alone |');
console.log('|---|---|---|');
for (const r of cpuRows) console.log(`| ${r.variant} | ${r.cpuMs.toFixed(0)} (${r.min.toFixed(0)}–${r.max.toFixed(0)}) | ${r.ratio.toFixed(2)}× |`);
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/startup.json'), JSON.stringify({ node: process.version, runs, date: new Date().toISOString(), rows, cpuRows }, null, 2));
for (const dir of runtimeDirs) rmSync(dir, { recursive: true, force: true });
