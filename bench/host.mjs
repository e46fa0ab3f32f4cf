#!/usr/bin/env node
// What the agent costs the host, measured side by side in one run:
// - RSS added by an idle agent (default nREPL server) after start-up settles;
// - the host's HTTP throughput without the agent, with it idle, and while a
//   client evaluates `1+1` in a tight loop;
// - the plain REPL (nrepl-ts/repl) against a bare node:repl on a socket.
//
//   node bench/host.mjs [--quick]
import * as http from 'node:http';
import * as net from 'node:net';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { fmt, percentile, rssOf, sleep, startProcess } from './lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { connect } = require(join(root, 'dist/client/client.js'));
const quick = process.argv.includes('--quick');
const LOAD_MS = quick ? 1500 : 4000;
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('NREPL_') && k !== 'NODE_OPTIONS'));
const app = join(root, 'fixtures/apps/bench-http.cjs');

async function startHttp(withAgent) {
  const cwd = mkdtempSync(join(tmpdir(), 'nrepl-host-bench-'));
  const args = withAgent ? ['--import', join(root, 'register.js'), app] : [app];
  const p = await startProcess(process.execPath, args, { cwd, env, ready: withAgent ? /http on (\d+)[\s\S]*nREPL server started on port (\d+)|nREPL server started on port (\d+)[\s\S]*http on (\d+)/ : /http on (\d+)/ });
  const text = p.output();
  return { child: p.child, httpPort: Number(/http on (\d+)/.exec(text)[1]), nreplPort: withAgent ? Number(/nREPL server started on port (\d+)/.exec(text)[1]) : undefined };
}

/** Keep-alive HTTP load from this process: `concurrency` loops for `ms`. */
async function httpLoad(port, ms, concurrency = 16) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  let ok = 0;
  let bad = 0;
  const deadline = performance.now() + ms;
  const one = () =>
    new Promise((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => {
          if (body === 'ok') ok++;
          else bad++;
          resolve();
        });
      });
      req.on('error', () => {
        bad++;
        resolve();
      });
    });
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < deadline) await one();
  }));
  agent.destroy();
  return { rps: ok / (ms / 1000), bad };
}

const results = { node: process.version, cores: cpus().length, date: new Date().toISOString(), quick };

// RSS and HTTP throughput.
for (const variant of ['without agent', 'agent idle', 'agent + eval loop']) {
  const host = await startHttp(variant !== 'without agent');
  await sleep(1500); // let start-up settle (the worker loads its modules)
  const rss = rssOf(host.child.pid);
  let stop = false;
  let evals = 0;
  let evalLoop;
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
  stop = true;
  await evalLoop;
  results[variant] = { rssMb: rss / 2 ** 20, rps: load.rps, badResponses: load.bad, evalsPerSecond: evals / (LOAD_MS / 1000) };
  host.child.kill('SIGKILL');
  console.log(`${variant}: RSS ${fmt(rss / 2 ** 20, 1)} MB, HTTP ${fmt(load.rps, 0)} req/s${evals ? `, ${fmt(evals / (LOAD_MS / 1000), 0)} evals/s alongside` : ''}`);
}

// Plain REPL round trip: nrepl-ts/repl vs a bare node:repl.
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
const N = quick ? 500 : 3000;
const bare = await startProcess(process.execPath, [join(root, 'fixtures/apps/bare-repl.cjs')], { env, ready: /bare repl on (\d+)/ });
const ours = await startProcess(process.execPath, ['--import', join(root, 'register.js'), '-e', 'setInterval(() => {}, 1000)'], {
  env: { ...env, NREPL_SERVER_REPL: '{:port 0 :accept nrepl-ts/repl}' },
  ready: /server repl \(nrepl-ts\/repl\) listening on 127\.0\.0\.1:(\d+)/,
});
for (const [name, p] of [['bare node:repl', bare], ['nrepl-ts/repl', ours]]) {
  const port = Number(p.match[1]);
  await replRoundTrips(port, 200);
  const t = await replRoundTrips(port, N);
  results[name] = { p50: percentile(t, 50), p99: percentile(t, 99) };
  p.child.kill('SIGKILL');
}

const base = results['without agent'];
const table = [
  `Host impact, Node ${results.node}, ${results.cores} cores, ${results.date}${quick ? ' (quick)' : ''}`,
  '',
  '| host | RSS MB | RSS added | HTTP req/s | vs without agent |',
  '|---|---|---|---|---|',
  ...['without agent', 'agent idle', 'agent + eval loop'].map((v) => {
    const r = results[v];
    return `| ${v}${r.evalsPerSecond ? ` (${fmt(r.evalsPerSecond, 0)} evals/s)` : ''} | ${fmt(r.rssMb, 1)} | ${v === 'without agent' ? '–' : `+${fmt(r.rssMb - base.rssMb, 1)}`} | ${fmt(r.rps, 0)} | ${(r.rps / base.rps).toFixed(2)}× |`;
  }),
  '',
  '| plain REPL | round trip p50 ms | p99 ms | p50 ratio |',
  '|---|---|---|---|',
  `| bare node:repl on a socket | ${fmt(results['bare node:repl'].p50, 3)} | ${fmt(results['bare node:repl'].p99, 3)} | 1.00× |`,
  `| nrepl-ts/repl (socket in the worker, REPL on main) | ${fmt(results['nrepl-ts/repl'].p50, 3)} | ${fmt(results['nrepl-ts/repl'].p99, 3)} | ${(results['nrepl-ts/repl'].p50 / results['bare node:repl'].p50).toFixed(2)}× |`,
].join('\n');
console.log(`\n${table}`);
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/host.json'), JSON.stringify(results, null, 2));
writeFileSync(join(root, 'bench/results/host.md'), `${table}\n`);
