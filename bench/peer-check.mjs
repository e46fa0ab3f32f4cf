#!/usr/bin/env node
// Cost of the peer uid check (src/worker/server/peer-uid.ts) on a loopback connect.
//
//   npm run build && node bench/peer-check.mjs [--connects 200] [--rounds 10] [--idle 0]
//
// One in-process TCP server on 127.0.0.1; a client connects, the server
// answers one byte as soon as it has accepted (variant "no check") or after
// peerRefusal() has read /proc/net/tcp and found the client's uid (variant
// "uid check"), and the client measures connect → byte. Rounds alternate the
// two variants so machine noise hits both alike. `--idle K` keeps K extra
// loopback connections open so /proc/net/tcp is larger, as on a busy host.
// Prints per-variant medians, the ratio, and the check's own median time,
// and writes bench/results/peer-check.json.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { median } from './lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { peerRefusal } = require(join(root, 'dist/worker/server/peer-uid.js'));
const { systemTableReader } = require(join(root, 'dist/worker/connection/proc-net-tcp.js'));

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const connects = arg('connects', 200);
const rounds = arg('rounds', 10);
const idle = arg('idle', 0);

const read = systemTableReader();
const ctx = read && typeof process.getuid === 'function' ? { ownUid: process.getuid(), read } : undefined;
if (!ctx) {
  console.error('peer-check: needs Linux with a readable /proc/net/tcp');
  process.exit(1);
}

let check = false;
const checkTimes = [];
const server = net.createServer((socket) => {
  if (check) {
    const t0 = process.hrtime.bigint();
    const reason = peerRefusal(
      { address: socket.remoteAddress, port: socket.remotePort },
      { address: socket.localAddress, port: socket.localPort },
      ctx,
    );
    checkTimes.push(Number(process.hrtime.bigint() - t0) / 1e3);
    if (reason !== undefined) throw new Error(`the bench's own client was refused: ${reason}`);
  }
  socket.end('x');
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const { port } = server.address();

const held = [];
for (let i = 0; i < idle; i += 1) {
  held.push(await new Promise((r) => { const s = net.connect(port, '127.0.0.1', () => r(s)); }));
}

function once() {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const s = net.connect(port, '127.0.0.1');
    s.once('data', () => {
      resolve(Number(process.hrtime.bigint() - t0) / 1e3);
      s.destroy();
    });
    s.once('error', reject);
  });
}

const samples = { 'no check': [], 'uid check': [] };
for (let round = 0; round < rounds * 2; round += 1) {
  const variant = round % 2 === 0 ? 'no check' : 'uid check';
  check = variant === 'uid check';
  const times = [];
  for (let i = 0; i < connects; i += 1) times.push(await once());
  samples[variant].push(median(times));
}
for (const s of held) s.destroy();
server.close();

const rows = readFileSync('/proc/net/tcp', 'latin1').split('\n').length - 2;
const result = {
  connects, rounds, idle, procNetTcpRows: rows,
  medianConnectUs: { 'no check': median(samples['no check']), 'uid check': median(samples['uid check']) },
  ratio: median(samples['uid check']) / median(samples['no check']),
  medianCheckUs: median(checkTimes),
};
console.log(`peer uid check, ${connects} connects x ${rounds} rounds per variant, ${idle} idle connections (/proc/net/tcp ~${rows} rows)`);
console.log(`  connect → first byte, median of round medians: no check ${result.medianConnectUs['no check'].toFixed(0)} µs, uid check ${result.medianConnectUs['uid check'].toFixed(0)} µs, ratio ${result.ratio.toFixed(2)}`);
console.log(`  the check itself (read /proc/net/tcp, find the row): median ${result.medianCheckUs.toFixed(0)} µs`);
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/peer-check.json'), `${JSON.stringify(result, null, 2)}\n`);
