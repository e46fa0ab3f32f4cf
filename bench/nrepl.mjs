#!/usr/bin/env node
// nREPL server benchmark: nrepl-ts against its peers, measured side by side in
// one run with the same client (src/client/client.ts) and the same expressions.
//
//   npm run bench:peers        # once: installs nbb and the Debian reference server
//   node bench/nrepl.mjs [--quick]
//
// Peers: the raw TCP echo floor; nrepl-ts (default architecture: protocol in a
// worker, eval on the main thread); nbb's nREPL server (Node peer); the
// reference Clojure nREPL server (with TCP_NODELAY). A missing peer is
// skipped with a notice. Writes bench/results/nrepl.{json,md}.
import * as net from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { fmt, median, percentile, sampleRss, sleep, startProcess } from './lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { connect } = require(join(root, 'dist/client/client.js'));
const quick = process.argv.includes('--quick');
const SEQ = quick ? 500 : 3000;
const WARM = quick ? 100 : 300;
const THROUGHPUT_MS = quick ? 1000 : 3000;
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('NREPL_') && k !== 'NODE_OPTIONS'));

// ---------- peers ----------
async function startFloor() {
  const child = await startProcess(process.execPath, ['-e', `
    const s = require('net').createServer({ noDelay: true }, (c) => c.pipe(c)).listen(0, '127.0.0.1', () => console.log('echo on ' + s.address().port));`], { ready: /echo on (\d+)/ });
  return { name: 'TCP echo (floor)', port: Number(child.match[1]), child: child.child };
}
async function startNreplTs() {
  const cwd = mkdtempSync(join(tmpdir(), 'nrepl-bench-'));
  const p = await startProcess(process.execPath, ['--import', join(root, 'register.js'), '-e', 'setInterval(() => {}, 1000)'], { cwd, env: cleanEnv, ready: /nREPL server started on port (\d+)/ });
  return { name: 'nrepl-ts', port: Number(p.match[1]), child: p.child, lang: 'js' };
}
async function startNbb() {
  const cli = join(root, 'bench/.peers/node_modules/nbb/cli.js');
  if (!existsSync(cli)) return { skipped: 'nbb not installed (npm run bench:peers)' };
  const port = await freePort();
  const p = await startProcess(process.execPath, [cli, 'nrepl-server', ':port', String(port)], { cwd: mkdtempSync(join(tmpdir(), 'nbb-bench-')), ready: /nREPL server started on port (\d+)/ });
  return { name: 'nbb', port: Number(p.match[1]), child: p.child, lang: 'cljs' };
}
async function startReference() {
  if (!existsSync('/usr/share/java/nrepl.jar')) return { skipped: 'reference server not installed (bash scripts/install-clojure.sh)' };
  const cp = ['clojure', 'spec.alpha', 'core.specs.alpha', 'nrepl'].map((j) => `/usr/share/java/${j}.jar`).join(':');
  const p = await startProcess('java', ['-cp', cp, 'clojure.main', join(root, 'bench/peers/reference-server.clj')], { cwd: '/', ready: /nREPL server started on port (\d+)/ });
  return { name: 'reference (Clojure, TCP_NODELAY)', port: Number(p.match[1]), child: p.child, lang: 'clj' };
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
  big: (n) => ({ js: `'x'.repeat(${n})`, cljs: `(apply str (repeat ${n} "x"))`, clj: `(apply str (repeat ${n} "x"))` }),
  // The reference server 1.0 never sends `done` for an interrupted eval: its latency is not comparable.
  loop: { js: 'while (true) {}' },
};

async function echoRoundTrips(port, n) {
  const socket = net.connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise((r) => socket.once('connect', r));
  const msg = Buffer.from('d4:code1:12:id1:12:op4:eval7:session36:00000000-0000-0000-0000-000000000000e');
  const times = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    socket.write(msg);
    let got = 0;
    await new Promise((resolve) => {
      const on = (d) => {
        got += d.length;
        if (got >= msg.length) {
          socket.off('data', on);
          resolve();
        }
      };
      socket.on('data', on);
    });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  socket.destroy();
  return times;
}

async function evalRoundTrips(peer, n) {
  const c = await connect({ port: peer.port });
  const session = await c.clone();
  const times = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await c.request({ op: 'eval', code: CODE.one[peer.lang], session });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  await c.end();
  return times;
}

async function throughput(peer, clients) {
  const conns = await Promise.all(Array.from({ length: clients }, async () => {
    if (peer.lang === undefined) {
      const s = net.connect(peer.port, '127.0.0.1');
      s.setNoDelay(true);
      await new Promise((r) => s.once('connect', r));
      return { echo: s };
    }
    const c = await connect({ port: peer.port });
    return { c, session: await c.clone() };
  }));
  let count = 0;
  const deadline = performance.now() + THROUGHPUT_MS;
  const msg = Buffer.from('d4:code1:12:id1:12:op4:eval7:session36:00000000-0000-0000-0000-000000000000e');
  await Promise.all(conns.map(async (conn) => {
    while (performance.now() < deadline) {
      if (conn.echo) {
        conn.echo.write(msg);
        let got = 0;
        await new Promise((resolve) => {
          const on = (d) => {
            got += d.length;
            if (got >= msg.length) {
              conn.echo.off('data', on);
              resolve();
            }
          };
          conn.echo.on('data', on);
        });
      } else {
        await conn.c.request({ op: 'eval', code: CODE.one[peer.lang], session: conn.session });
      }
      count++;
    }
  }));
  for (const conn of conns) conn.echo ? conn.echo.destroy() : await conn.c.end();
  return count / (THROUGHPUT_MS / 1000);
}

async function bigValue(peer, chars, stream) {
  const c = await connect({ port: peer.port }, { maxMessageBytes: 1 << 30 });
  const session = await c.clone();
  const rss = sampleRss(peer.child.pid);
  const t0 = performance.now();
  const extra = stream ? { 'nrepl.middleware.print/stream?': '1', 'nrepl.middleware.print/buffer-size': 65536 } : {};
  const responses = await c.request({ op: 'eval', code: CODE.big(chars)[peer.lang], session, ...extra }, { timeoutMs: 120_000 });
  const ms = performance.now() - t0;
  const peak = rss.stop();
  const received = responses.reduce((n, r) => n + (typeof r.value === 'string' ? r.value.length : 0), 0);
  await c.end();
  return { ms, peakRssMb: peak / 2 ** 20, received };
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
const results = { node: process.version, cores: cpus().length, date: new Date().toISOString(), quick, peers: [] };
for (const start of [startFloor, startNreplTs, startNbb, startReference]) {
  let peer;
  try {
    peer = await start();
  } catch (err) {
    console.log(`! ${start.name}: could not start: ${err.message.split('\n')[0]}`);
    continue;
  }
  if (peer.skipped) {
    console.log(`! skipped: ${peer.skipped}`);
    continue;
  }
  process.stdout.write(`measuring ${peer.name}...`);
  const r = { name: peer.name };
  try {
    if (peer.lang === undefined) {
      await echoRoundTrips(peer.port, WARM);
      const t = (await echoRoundTrips(peer.port, SEQ)).sort((a, b) => a - b);
      r.p50 = percentile(t, 50);
      r.p99 = percentile(t, 99);
    } else {
      await evalRoundTrips(peer, WARM);
      const t = (await evalRoundTrips(peer, SEQ)).sort((a, b) => a - b);
      r.p50 = percentile(t, 50);
      r.p99 = percentile(t, 99);
    }
    r.tput1 = await throughput(peer, 1);
    r.tput8 = await throughput(peer, 8);
    if (peer.lang !== undefined) {
      r.value1mb = await bigValue(peer, 1_000_000, false);
      if (peer.name === 'nrepl-ts') {
        r.value10mb = await bigValue(peer, 10_000_000, false);
        r.value10mbStream = await bigValue(peer, 10_000_000, true);
      }
      const it = await interruptLatency(peer, quick ? 5 : 20);
      if (it) r.interruptMs = median(it);
    }
  } catch (err) {
    r.error = err.message.split('\n')[0];
  }
  peer.child.kill('SIGKILL');
  results.peers.push(r);
  console.log(' done');
}

const floor = results.peers.find((p) => p.name.startsWith('TCP'));
const nbb = results.peers.find((p) => p.name === 'nbb');
const ref = results.peers.find((p) => p.name.startsWith('reference'));
const ratio = (a, b) => (a && b ? `${(a / b).toFixed(2)}×` : '–');
const lines = [];
lines.push(`nREPL benchmark, Node ${results.node}, ${results.cores} cores, ${results.date}${quick ? ' (quick)' : ''}`);
lines.push('');
lines.push('| server | eval p50 ms | p99 ms | p50 / floor | p50 / nbb | evals/s 1 client | evals/s 8 clients | 8 clients / nbb | 1 MB value ms | 1 MB / reference | interrupt ms |');
lines.push('|---|---|---|---|---|---|---|---|---|---|---|');
for (const p of results.peers) {
  lines.push(`| ${p.name} | ${fmt(p.p50, 3)} | ${fmt(p.p99, 3)} | ${ratio(p.p50, floor?.p50)} | ${ratio(p.p50, nbb?.p50)} | ${fmt(p.tput1, 0)} | ${fmt(p.tput8, 0)} | ${ratio(p.tput8, nbb?.tput8)} | ${fmt(p.value1mb?.ms, 1)} | ${ratio(p.value1mb?.ms, ref?.value1mb?.ms)} | ${fmt(p.interruptMs, 2)} |${p.error ? ` error: ${p.error}` : ''}`);
}
const own = results.peers.find((p) => p.name === 'nrepl-ts');
if (own?.value10mb) {
  lines.push('');
  lines.push(`nrepl-ts 10 MB value: ${fmt(own.value10mb.ms, 0)} ms (peak server RSS ${fmt(own.value10mb.peakRssMb, 0)} MB); with stream? and 64 KB chunks: ${fmt(own.value10mbStream.ms, 0)} ms (peak RSS ${fmt(own.value10mbStream.peakRssMb, 0)} MB).`);
}
const table = lines.join('\n');
console.log(`\n${table}`);
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/nrepl.json'), JSON.stringify(results, null, 2));
writeFileSync(join(root, 'bench/results/nrepl.md'), `${table}\n`);
