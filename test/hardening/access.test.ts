// Access (host-safety issue): only the user who owns the process gets in.
// - Network exposure: a project file shipped with a cloned repository cannot
//   open the app to the network: its `allow-remote` is ignored and TLS without
//   client certificates is not enough; the server is refused with one line
//   naming the file and field, the app runs on. The environment (or the user
//   nrepl.edn, or the API: test/server/exposure.test.ts) can still opt in.
// - Other local users (Linux): a loopback TCP client running as another uid
//   gets no eval and is refused with one line; same-uid clients carry on.
//   The client runs as `nobody` (the tests run as root).
// - Refusals are logged at most once per 10 s per server and reason, then
//   summarized: 50 refused connections make 2 lines, not 50.
// - A TLS client that never finishes its handshake is dropped after 10 s
//   (Node's default would hold it for 120 s); other clients are served.
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnWithAgent, tempDir } from '../helpers/agent';
import { alive, makeCerts, open, openTls, startHost, type Certs } from './helpers';

let certs: Certs;
beforeAll(() => {
  certs = makeCerts();
});

const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** A port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** True when nothing accepts a TCP connection on 127.0.0.1:`port`. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
}

describe('network exposure from project files', () => {
  it('a project .nrepl.edn with :allow-remote true is refused, naming the file and field; nothing listens and the app runs', async () => {
    const cwd = tempDir('nrepl-access-');
    const port = await freePort();
    const edn = join(cwd, '.nrepl.edn');
    writeFileSync(edn, `{:servers {open {:accept nrepl-ts/nrepl :port ${port} :address "0.0.0.0" :allow-remote true}}}`);
    const child = spawnWithAgent({ cwd });
    const [line] = await child.waitFor(/nrepl-ts: .*allow-remote.*\n/);
    expect(line).toMatch(new RegExp(`^nrepl-ts: ${literal(edn)}: servers\\.open\\.allow-remote: ignored in a project file, so the server will not listen on non-loopback address 0\\.0\\.0\\.0`));
    expect(line, 'both ways to expose it on purpose').toMatch(/require client certificates .* or set :allow-remote true in NREPL_SERVER_<NAME>, the startServer\(\) spec or your user nrepl\.edn/);
    await child.waitFor(/app ready/, { from: 'stdout' });
    expect(child.stderr()).not.toContain('nREPL server started');
    expect(await refused(port), `nothing may listen on ${port}`).toBe(true);
    expect(alive({ child })).toBe(true);
  });

  it('TLS without client certificates from a project file is refused, naming address', async () => {
    const cwd = tempDir('nrepl-access-');
    const port = await freePort();
    const edn = join(cwd, '.nrepl.edn');
    writeFileSync(edn, `{:servers {open {:accept nrepl-ts/nrepl :port ${port} :address "0.0.0.0" :tls {:cert ${JSON.stringify(certs.serverCert)} :key ${JSON.stringify(certs.serverKey)}}}}}`);
    const child = spawnWithAgent({ cwd });
    await child.waitFor(new RegExp(`nrepl-ts: ${literal(edn)}: servers\\.open\\.address: refusing to listen on non-loopback address 0\\.0\\.0\\.0 without client certificates`));
    await child.waitFor(/app ready/, { from: 'stdout' });
    expect(await refused(port)).toBe(true);
  });

  it('the environment can opt in to the same project file: it listens and warns', async () => {
    const cwd = tempDir('nrepl-access-');
    writeFileSync(join(cwd, '.nrepl.edn'), '{:servers {open {:accept nrepl-ts/nrepl :port 0 :address "0.0.0.0" :allow-remote true}}}');
    const child = spawnWithAgent({ cwd, env: { NREPL_SERVER_OPEN: '{:allow-remote true}' } });
    await child.waitFor(/WARNING: server open listens on 0\.0\.0\.0:\d+ WITHOUT TLS: this process is exposed to the network/);
  });
});

/**
 * A client script any user can run: connects to 127.0.0.1:PORT, sends one
 * nREPL eval of `1 + 1`, prints every byte it gets back, and exits when the
 * server closes the connection or after 3 s.
 */
function clientScript(): string {
  const dir = join(tempDir('nrepl-access-client-'), 'pub');
  mkdirSync(dir);
  chmodSync(join(dir, '..'), 0o755);
  chmodSync(dir, 0o755);
  const file = join(dir, 'client.cjs');
  writeFileSync(file, `
const net = require('node:net');
const s = net.connect({ host: '127.0.0.1', port: Number(process.argv[2]) });
let got = '';
s.on('connect', () => s.write('d2:op4:eval4:code5:1 + 12:id1:1e'));
s.on('data', (d) => (got += d.toString('latin1')));
const done = () => { process.stdout.write(JSON.stringify(got)); process.exit(0); };
s.on('close', done);
s.on('error', () => {});
setTimeout(done, 3000);
`);
  chmodSync(file, 0o644);
  return file;
}

/** Runs the client script as `uid` (0 = as the tests) and resolves with what it received. */
function runClient(script: string, port: number, uid: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const ids = uid === 0 ? {} : { uid, gid: uid };
    const proc = spawn(process.execPath, [script, String(port)], { ...ids, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    proc.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    proc.on('error', reject);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`client as uid ${uid} exited ${code}: ${err}`));
      else resolve(JSON.parse(out) as string);
    });
  });
}

describe.runIf(process.platform === 'linux' && process.getuid?.() === 0)('other local users (Linux, tests run as root)', () => {
  const NOBODY = 65534;

  it('a loopback client running as another uid gets no eval, and one line says why; the same uid still works', async () => {
    const host = await startHost();
    const script = clientScript();
    expect(await runClient(script, host.port, 0), 'the owner’s client gets its value').toContain('5:value1:2');
    const got = await runClient(script, host.port, NOBODY);
    expect(got, 'nobody gets nothing back').toBe('');
    await host.child.waitFor(/refused client \d+: it runs as uid 65534/);
    expect(host.child.stderr()).toMatch(/nrepl-ts: server nrepl: refused client \d+: it runs as uid 65534, not as this process's uid 0 \(or root\)\n/);
    expect(await runClient(script, host.port, NOBODY), 'a second try is refused too').toBe('');
    const c = await open(host.port);
    expect((await c.eval('40 + 2')).values, 'same-uid clients carry on').toEqual(['42']);
    await c.end();
    expect(host.child.stderr().match(/uid 65534/g), 'the second refusal is only counted').toHaveLength(1);
    await host.child.waitFor(/nrepl-ts: server nrepl: refused 1 connections from other local users in the last 10 s\n/, { timeoutMs: 20_000 });
    expect(alive(host)).toBe(true);
  });
});

describe('refusal logging', () => {
  it('50 connections over max-connections make one line and one summary, not 50 lines', async () => {
    const host = await startHost({ env: { NREPL_SERVER_NREPL: '{:port 0 :accept nrepl-ts/nrepl :max-connections 1}' } });
    const holder = await open(host.port);
    const attempts = Array.from({ length: 50 }, () => new Promise<void>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port: host.port });
      s.on('error', () => resolve());
      s.on('close', () => resolve());
    }));
    await Promise.all(attempts);
    const [summary] = await host.child.waitFor(/refused (\d+) connections in the last 10 s \(max-connections 1\)\n/, { timeoutMs: 20_000 });
    const lines = host.child.stderr().split('\n').filter((l) => l.includes('refused'));
    expect(lines).toEqual([
      expect.stringMatching(/^nrepl-ts: server nrepl: refused client \d+: 1 connections already open \(max-connections\)$/),
      'nrepl-ts: server nrepl: refused 49 connections in the last 10 s (max-connections 1)',
    ]);
    expect(summary).toBeDefined();
    expect((await holder.eval('1 + 1')).values, 'the connected client is unaffected').toEqual(['2']);
    await holder.end();
  });
});

describe('TLS handshake timeout', () => {
  it('a client that never starts its TLS handshake is dropped; a good client is served meanwhile', async () => {
    const spec = { port: 0, accept: 'nrepl-ts/nrepl', tls: { cert: certs.serverCert, key: certs.serverKey } };
    const host = await startHost({ env: { NREPL_SERVER_NREPL: JSON.stringify(spec) }, scheme: 'nrepls' });
    const stalled = net.connect({ host: '127.0.0.1', port: host.port });
    stalled.on('error', () => {});
    const closed = new Promise<boolean>((resolve) => {
      stalled.once('close', () => resolve(true));
      setTimeout(() => resolve(false), 25_000).unref();
    });
    await new Promise((resolve) => stalled.once('connect', resolve));
    const c = await openTls(host.port, { ca: certs.ca });
    expect((await c.eval('3 * 3')).values).toEqual(['9']);
    await c.end();
    expect(await closed, 'the stalled handshake must be dropped well before Node’s 120 s default').toBe(true);
    expect(alive(host)).toBe(true);
  }, 40_000);
});
