// Attach time and the cost of the per-process socket, interleaved over rounds; medians and ratios.
//   node bench/attach.mjs [rounds]      (build first: npm run build)
// 1. attach: from `nrepl-ts attach PID` to its exit with a ready server (wall clock), and the
//    inspector-open window the command reports.
// 2. a child nobody connects to: time to its first line and RSS, with the agent's registration
//    (entry + owner-only socket) versus NREPL_REGISTRY=off, both with the preload and no server configured
//    (as a cluster worker or forked child gets: NREPL_TS_AGENT_PID set by a parent).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist/cli/main.js');
const rounds = Number(process.argv[2] ?? 7);
const xdg = join(mkdtempSync(join(tmpdir(), 'nrepl-ts-bench-')), 'run');
mkdirSync(xdg, { mode: 0o700 });
const env = { ...process.env, XDG_RUNTIME_DIR: xdg };
delete env.NODE_OPTIONS;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function startApp(args, extraEnv = {}) {
  const proc = spawn(process.execPath, args, { env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  const t0 = performance.now();
  return new Promise((done) => proc.stdout.once('data', () => done({ proc, ms: performance.now() - t0 })));
}

const attachMs = [];
const windows = [];
const childMs = { on: [], off: [] };
const childRss = { on: [], off: [] };
let inspectPort = 39500;
for (let round = 0; round < rounds; round++) {
  const { proc } = await startApp([`--inspect-port=${inspectPort++}`, join(ROOT, 'fixtures/apps/attach-http.cjs')]);
  const t0 = performance.now();
  const result = spawnSync(process.execPath, [CLI, 'attach', String(proc.pid)], { env, encoding: 'utf8' });
  attachMs.push(performance.now() - t0);
  const window = /open for (\d+) ms/.exec(result.stderr);
  if (!window) throw new Error(`attach failed: ${result.stderr}`);
  windows.push(Number(window[1]));
  proc.kill('SIGKILL');
  for (const variant of round % 2 ? ['on', 'off'] : ['off', 'on']) {
    const app = ['--import', join(ROOT, 'register.js'), '-e', 'process.stdout.write("ready\\n"); setInterval(() => {}, 1000)'];
    const child = await startApp(app, { NREPL_TS_AGENT_PID: '1', NREPL_REGISTRY: variant === 'on' ? '1' : 'off' });
    await new Promise((r) => setTimeout(r, 400)); // let the worker finish registering
    const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.proc.pid}/status`, 'utf8'))[1]);
    childMs[variant].push(child.ms);
    childRss[variant].push(rss);
    child.proc.kill('SIGKILL');
  }
}
console.log(`attach, command to ready server: median ${median(attachMs).toFixed(0)} ms (${rounds} rounds)`);
console.log(`inspector open: median ${median(windows)} ms`);
console.log(`child start to first line: registration on ${median(childMs.on).toFixed(1)} ms, off ${median(childMs.off).toFixed(1)} ms, ratio ${(median(childMs.on) / median(childMs.off)).toFixed(2)}`);
console.log(`child RSS: on ${median(childRss.on)} kB, off ${median(childRss.off)} kB, difference ${median(childRss.on) - median(childRss.off)} kB`);
