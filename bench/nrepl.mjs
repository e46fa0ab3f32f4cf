#!/usr/bin/env node
// nREPL server benchmark: nrepl-ts against its peers, all measured in one run
// with the same client (src/client/client.ts).
//
//   npm run bench:peers        # once: installs nbb, Node 22/24 and the Debian reference server
//   node bench/nrepl.mjs [--quick] [--rounds 3] [--agent name=/repo/root ...]
//
// Servers: the raw TCP echo floor; nrepl-ts (one row per --agent build, e.g.
// before=/tmp/old-checkout; default this checkout); nbb's nREPL server (Node
// peer); the reference Clojure nREPL server (with TCP_NODELAY). A missing peer
// is skipped with a notice.
//
// Method: every server is up at once; each gets 1000 warm-up evals (the JVM
// needs them); then rounds visit the servers in rotating order, and each
// visit measures sequential eval latency, 8 concurrent clients with one
// request each in flight, and 4 connections × 16 pipelined requests (with the
// server's CPU per eval from /proc: every thread, and nrepl-ts's main thread
// apart). Tables show the median over rounds with the min–max; ratios are
// taken within a round. Values are equivalent work in every language: the
// 1 MB value is String.prototype.repeat / java.lang.String.repeat, never a
// lazy sequence. Peak RSS of big values is measured on a fresh server each,
// against its RSS just before the eval. Writes bench/results/nrepl.{json,md}.
import * as net from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fmt, median, percentile, rssOf, sampleRss, sleep, startProcess } from './lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { connect } = require(join(root, 'dist/client/client.js'));
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const many = (flag) => argv.flatMap((a, i) => (argv[i - 1] === flag ? [a] : []));
const ROUNDS = Number(many('--rounds')[0]) || (quick ? 1 : 3);
// `--only big`: just the big values (peak RSS), without the peers.
const onlyBig = many('--only')[0] === 'big';
const SEQ = quick ? 300 : 2000;
const WARM = 1000;
const TPUT_MS = quick ? 700 : 2000;
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('NREPL_') && k !== 'NODE_OPTIONS'));
const agents = many('--agent').length > 0 ? many('--agent').map((a) => ({ name: a.split('=')[0], root: a.slice(a.indexOf('=') + 1) })) : [{ name: 'nrepl-ts', root }];
const TICK_US = 1e6 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
const live = new Set();
process.on('exit', () => live.forEach((c) => c.kill('SIGKILL')));
const track = (peer) => (peer.child && live.add(peer.child), peer);

// ---------- peers ----------
async function startFloor() {
  const child = await startProcess(process.execPath, ['-e', `
    const s = require('net').createServer({ noDelay: true }, (c) => c.pipe(c)).listen(0, '127.0.0.1', () => console.log('echo on ' + s.address().port));`], { ready: /echo on (\d+)/ });
  return track({ name: 'TCP echo (floor)', port: Number(child.match[1]), child: child.child });
}
async function startNreplTs(agent) {
  const cwd = mkdtempSync(join(tmpdir(), 'nrepl-bench-'));
  const p = await startProcess(process.execPath, ['--import', join(agent.root, 'register.js'), '-e', 'setInterval(() => {}, 1000)'], { cwd, env: cleanEnv, ready: /nREPL server started on port (\d+)/ });
  return track({ name: agents.length > 1 ? `nrepl-ts (${agent.name})` : 'nrepl-ts', port: Number(p.match[1]), child: p.child, lang: 'js', ours: true });
}
async function startNbb() {
  const cli = join(root, 'bench/.peers/node_modules/nbb/cli.js');
  if (!existsSync(cli)) return { skipped: 'nbb not installed (npm run bench:peers)' };
  const port = await freePort();
  const p = await startProcess(process.execPath, [cli, 'nrepl-server', ':port', String(port)], { cwd: mkdtempSync(join(tmpdir(), 'nbb-bench-')), ready: /nREPL server started on port (\d+)/ });
  return track({ name: 'nbb', port: Number(p.match[1]), child: p.child, lang: 'cljs' });
}
async function startReference() {
  if (!existsSync('/usr/share/java/nrepl.jar')) return { skipped: 'reference server not installed (bash scripts/install-clojure.sh)' };
  const cp = ['clojure', 'spec.alpha', 'core.specs.alpha', 'nrepl'].map((j) => `/usr/share/java/${j}.jar`).join(':');
  const p = await startProcess('java', ['-cp', cp, 'clojure.main', join(root, 'bench/peers/reference-server.clj')], { cwd: '/', ready: /nREPL server started on port (\d+)/ });
  return track({ name: 'reference (Clojure, TCP_NODELAY)', port: Number(p.match[1]), child: p.child, lang: 'clj' });
}
function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// ---------- measurements ----------
const CODE = {
  one: { js: '1', cljs: '1', clj: '1' },
  // The same work everywhere: one flat string of n characters.
  big: (n) => ({ js: `'x'.repeat(${n})`, cljs: `(.repeat "x" ${n})`, clj: `(.repeat "x" (int ${n}))` }),
  objects: (n) => ({ js: `Array.from({ length: ${n} }, (_, i) => ({ id: i, name: 'item-' + i, ok: true, tags: ['a', 'b'] }))` }),
  // The reference server 1.0 never sends `done` for an interrupted eval: its latency is not comparable.
  loop: { js: 'while (true) {}' },
};
const ECHO_MSG = Buffer.from('d4:code1:12:id1:12:op4:eval7:session36:00000000-0000-0000-0000-000000000000e');

async function echoConn(port) {
  const socket = net.connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise((r) => socket.once('connect', r));
  return {
    socket,
    once: () =>
      new Promise((resolve) => {
        let got = 0;
        const on = (d) => {
          got += d.length;
          if (got >= ECHO_MSG.length) {
            socket.off('data', on);
            resolve();
          }
        };
        socket.on('data', on);
        socket.write(ECHO_MSG);
      }),
  };
}

async function roundTrips(peer, n) {
  const times = [];
  if (peer.lang === undefined) {
    const e = await echoConn(peer.port);
    for (let i = 0; i < n; i++) {
      const t0 = process.hrtime.bigint();
      await e.once();
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    e.socket.destroy();
    return times.sort((a, b) => a - b);
  }
  const c = await connect({ port: peer.port });
  const session = await c.clone();
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await c.request({ op: 'eval', code: CODE.one[peer.lang], session });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  await c.end();
  return times.sort((a, b) => a - b);
}

/** utime+stime ticks of every thread of a process, and of its main thread. */
function cpuTicks(pid) {
  const ticks = (file) => {
    const fields = readFileSync(file, 'utf8').split(') ')[1].split(' ');
    return Number(fields[11]) + Number(fields[12]);
  };
  return { all: ticks(`/proc/${pid}/stat`), main: ticks(`/proc/${pid}/task/${pid}/stat`) };
}

/** `conns` connections with `inFlight` requests each in flight for TPUT_MS: evals/s and CPU per eval. */
async function throughput(peer, conns, inFlight) {
  const clients = await Promise.all(Array.from({ length: conns }, async () => {
    if (peer.lang === undefined) return { echo: await echoConn(peer.port) };
    const c = await connect({ port: peer.port });
    return { c, session: await c.clone() };
  }));
  let count = 0;
  const c0 = cpuTicks(peer.child.pid);
  const t0 = performance.now();
  const deadline = t0 + TPUT_MS;
  await Promise.all(clients.flatMap((conn) => Array.from({ length: conn.echo ? 1 : inFlight }, async () => {
    while (performance.now() < deadline) {
      if (conn.echo) await conn.echo.once();
      else await conn.c.request({ op: 'eval', code: CODE.one[peer.lang], session: conn.session });
      count++;
    }
  })));
  const ms = performance.now() - t0;
  const c1 = cpuTicks(peer.child.pid);
  for (const conn of clients) conn.echo ? conn.echo.socket.destroy() : await conn.c.end();
  return { perSecond: count / (ms / 1000), cpuUs: ((c1.all - c0.all) * TICK_US) / count, mainCpuUs: ((c1.main - c0.main) * TICK_US) / count };
}

async function bigValue(peer, code, extra = {}) {
  const c = await connect({ port: peer.port }, { maxMessageBytes: 1 << 30, timeoutMs: 120_000 });
  const session = await c.clone();
  await sleep(200);
  const before = rssOf(peer.child.pid);
  const rss = sampleRss(peer.child.pid, 2);
  const t0 = performance.now();
  const responses = await c.request({ op: 'eval', code, session, ...extra }, { timeoutMs: 120_000 });
  const ms = performance.now() - t0;
  const peak = rss.stop();
  const received = responses.reduce((n, r) => n + (typeof r.value === 'string' ? r.value.length : 0), 0);
  await c.end();
  return { ms, addedMb: (peak - before) / 2 ** 20, receivedMb: received / 2 ** 20, chunks: responses.filter((r) => typeof r.value === 'string').length };
}

async function interruptLatency(peer, rounds) {
  if (!CODE.loop[peer.lang]) return undefined;
  const c = await connect({ port: peer.port });
  const c2 = await connect({ port: peer.port });
  const session = await c.clone();
  const times = [];
  for (let i = 0; i < rounds; i++) {
    let t0 = 0n;
    const done = new Promise((resolve, reject) => {
      c.message({ op: 'eval', code: CODE.loop[peer.lang], session, id: `loop-${i}` }, (r) => {
        if (Array.isArray(r.status) && (r.status.includes('done') || r.status.includes('interrupted'))) resolve(Number(process.hrtime.bigint() - t0) / 1e6);
      }, { timeoutMs: 20_000 }).catch(reject);
    });
    await sleep(50);
    t0 = process.hrtime.bigint();
    await c2.request({ op: 'interrupt', session, 'interrupt-id': `loop-${i}` }, { timeoutMs: 20_000 });
    times.push(await done);
    await sleep(20);
  }
  await c.end();
  await c2.end();
  return times;
}

// ---------- run ----------
const results = { node: process.version, cores: cpus().length, date: new Date().toISOString(), quick, rounds: ROUNDS, peers: [] };
const peers = [];
if (!onlyBig) {
for (const start of [startFloor, ...agents.map((a) => Object.defineProperty(() => startNreplTs(a), 'name', { value: `nrepl-ts ${a.name}` })), startNbb, startReference]) {
  try {
    const peer = await start();
    if (peer.skipped) console.log(`! skipped: ${peer.skipped}`);
    else peers.push(peer);
  } catch (err) {
    console.log(`! ${start.name}: could not start: ${err.message.split('\n')[0]}`);
  }
}
for (const peer of peers) {
  process.stdout.write(`warming up ${peer.name}...\n`);
  await roundTrips(peer, WARM);
  peer.rounds = [];
}
for (let round = 0; round < ROUNDS; round++) {
  for (let i = 0; i < peers.length; i++) {
    const peer = peers[(i + round) % peers.length];
    const t = await roundTrips(peer, SEQ);
    const r = { p50: percentile(t, 50), p99: percentile(t, 99) };
    r.concurrent = await throughput(peer, 8, 1);
    if (peer.lang !== undefined) {
      r.pipelined = await throughput(peer, 4, 16);
      r.value1mbMs = (await bigValue(peer, CODE.big(1_000_000)[peer.lang])).ms;
    }
    peer.rounds.push(r);
  }
  console.log(`round ${round + 1}/${ROUNDS}: ${peers.map((p) => `${p.name} p50 ${fmt(p.rounds[round].p50, 3)} ms`).join(', ')}`);
}
for (const peer of peers) {
  if (peer.lang !== undefined) {
    const it = await interruptLatency(peer, quick ? 5 : 20);
    if (it) peer.interruptMs = median(it);
  }
  peer.child.kill('SIGKILL');
  live.delete(peer.child);
}
}

// Peak RSS of big values, each on a fresh nrepl-ts (per build), rounds interleaved.
const BIG = [
  { key: 'str10', label: '10 MB string value', code: CODE.big(10_000_000).js },
  { key: 'str10stream', label: '10 MB string, stream? with 64 KB chunks', code: CODE.big(10_000_000).js, extra: { 'nrepl.middleware.print/stream?': '1', 'nrepl.middleware.print/buffer-size': 65536 } },
  { key: 'objects', label: 'array of 10⁵ objects printed whole', code: CODE.objects(100_000).js, extra: { 'nrepl.middleware.print/options': { maxArrayLength: 1_000_000 } } },
];
const big = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const agent of agents) {
    for (const b of BIG) {
      const peer = await startNreplTs(agent);
      await roundTrips(peer, 200);
      const r = await bigValue(peer, b.code, b.extra);
      peer.child.kill('SIGKILL');
      live.delete(peer.child);
      ((big[agent.name] ??= {})[b.key] ??= []).push(r);
    }
  }
}

// ---------- tables ----------
const range = (xs, digits = 2, unit = '') => (xs.length === 0 || xs.some((x) => x === undefined || Number.isNaN(x)) ? '–' : `${fmt(median(xs), digits)}${unit} (${fmt(Math.min(...xs), digits)}–${fmt(Math.max(...xs), digits)})`);
const nbb = peers.find((p) => p.name === 'nbb');
const ref = peers.find((p) => p.name.startsWith('reference'));
const floor = peers.find((p) => p.name.startsWith('TCP'));
const per = (peer, f) => peer.rounds.map(f);
const vs = (peer, other, f) => (other ? peer.rounds.map((r, i) => f(r) / f(other.rounds[i])) : []);
const lines = [];
lines.push(`nREPL benchmark, Node ${results.node}, ${results.cores} cores, ${results.date}, ${ROUNDS} interleaved rounds, ${WARM} warm-up evals${quick ? ' (quick)' : ''}; median (min–max over rounds), ratios within a round`);
lines.push('');
if (!onlyBig) lines.push('| server | eval "1" p50 ms | p99 ms | p50 / floor | p50 / nbb | evals/s, 8 clients × 1 | vs nbb | evals/s, 4 conns × 16 pipelined | vs nbb | server CPU per eval µs (all threads) | main thread µs | 1 MB value ms | vs reference | interrupt ms |');
if (!onlyBig) lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const p of peers) {
  const pip = (r) => r.pipelined?.perSecond;
  lines.push(`| ${p.name} | ${range(per(p, (r) => r.p50), 3)} | ${range(per(p, (r) => r.p99), 3)} | ${p === floor ? '1.00×' : range(vs(p, floor, (r) => r.p50), 2, '×')} | ${p === nbb || p === floor ? '–' : range(vs(p, nbb, (r) => r.p50), 2, '×')} | ${range(per(p, (r) => r.concurrent.perSecond), 0)} | ${p === floor ? '–' : range(vs(p, nbb, (r) => r.concurrent.perSecond), 2, '×')} | ${p.lang ? range(per(p, pip), 0) : '–'} | ${p.lang ? range(vs(p, nbb, pip), 2, '×') : '–'} | ${p.lang ? range(per(p, (r) => r.pipelined.cpuUs), 1) : '–'} | ${p.ours ? range(per(p, (r) => r.pipelined.mainCpuUs), 1) : '–'} | ${p.lang ? range(per(p, (r) => r.value1mbMs), 1) : '–'} | ${p.lang ? range(vs(p, ref, (r) => r.value1mbMs), 2, '×') : '–'} | ${fmt(p.interruptMs, 2)} |`);
}
lines.push('');
lines.push('| nrepl-ts build | value | ms | received MB | value responses | peak RSS added MB | added / printed size |');
lines.push('|---|---|---|---|---|---|---|');
for (const agent of agents) {
  for (const b of BIG) {
    const rs = big[agent.name][b.key];
    lines.push(`| ${agent.name} | ${b.label} | ${range(rs.map((r) => r.ms), 0)} | ${fmt(median(rs.map((r) => r.receivedMb)), 1)} | ${median(rs.map((r) => r.chunks))} | ${range(rs.map((r) => r.addedMb), 0)} | ${range(rs.map((r) => r.addedMb / r.receivedMb), 1, '×')} |`);
  }
}
results.peers = peers.map((p) => ({ name: p.name, rounds: p.rounds, interruptMs: p.interruptMs }));
results.big = big;
const table = lines.join('\n');
console.log(`\n${table}`);
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/nrepl.json'), JSON.stringify(results, null, 2));
writeFileSync(join(root, 'bench/results/nrepl.md'), `${table}\n`);
