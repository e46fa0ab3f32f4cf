// Security (issue 5): real processes, real sockets.
// - The default server binds loopback only; a non-loopback address with TLS
//   listens and prints one loud warning (the refusal without TLS/allow-remote
//   and the allow-remote warning are in test/integration/listen.test.ts).
// - TLS works for the nREPL server, checked with Node's own TLS client
//   (driving our nREPL client over the TLS socket) and with `openssl
//   s_client`; with require-client-cert, clients without a certificate from
//   the configured CA are turned away, and the app and other clients carry on.
// - `.nrepl-port` is owner-only (0600) even when a stale file with wider
//   permissions is already there, and a planted symlink is never followed.
// Unix socket permissions and stale/live socket files are covered by
// test/integration/listen.test.ts.
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, statSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import * as net from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { APPS, spawnWithAgent, tempDir } from '../helpers/agent';
import { killTree, OWN_GROUP } from '../helpers/processes';
import { alive, makeCerts, open, openRaw, openTls, sleep, startHost, type Certs, frame } from './helpers';

let certs: Certs;
beforeAll(() => {
  certs = makeCerts();
});

/** NREPL_SERVER_NREPL for a TLS nREPL server on port 0. */
function tlsServer(extra: Record<string, unknown> = {}, tlsExtra: Record<string, unknown> = {}): Record<string, string> {
  const spec = {
    port: 0,
    accept: 'nrepl-ts/nrepl',
    tls: { cert: certs.serverCert, key: certs.serverKey, ca: certs.ca, ...tlsExtra },
    ...extra,
  };
  return { NREPL_SERVER_NREPL: JSON.stringify(spec) };
}

/**
 * Runs `openssl s_client` against 127.0.0.1:`port`, sends `input` and keeps
 * the connection open (-ign_eof) until stdout contains `until`, the process
 * ends, or `ms` pass; then kills it.
 */
function sClient(port: number, args: string[], input: string, until: string, ms = 5_000): Promise<{ stdout: string; stderr: string; exit: number | null }> {
  return new Promise((resolve) => {
    const proc = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-CAfile', certs.ca, '-verify_return_error', '-verify_hostname', 'localhost', '-ign_eof', ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      ...OWN_GROUP,
    });
    let stdout = '';
    let stderr = '';
    let finished = false;
    const finish = (exit: number | null) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      killTree(proc);
      resolve({ stdout, stderr, exit });
    };
    const timer = setTimeout(() => finish(null), ms);
    proc.stdout.setEncoding('latin1').on('data', (d: string) => {
      stdout += d;
      if (stdout.includes(until)) finish(null);
    });
    proc.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    proc.on('exit', (code) => setTimeout(() => finish(code), 50));
    proc.stdin.on('error', () => {});
    proc.stdin.write(input);
  });
}

/** The describe reply's versions key and the end of a reply, as bencode bytes on s_client's stdout. */
const NREPL_TS = '8:nrepl-tsd';
const DONE = '4:donee';

/** A non-loopback IPv4 address of this machine, if it has one. */
function externalAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

function refusedOn(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: address, port });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
}

describe('binding', () => {
  it('the default server listens on loopback only', async () => {
    const host = await startHost();
    expect(host.child.stderr()).toContain(`on host 127.0.0.1 - nrepl://127.0.0.1:${host.port}`);
    const external = externalAddress();
    if (external) expect(await refusedOn(external, host.port), `a connection to ${external}:${host.port} must be refused`).toBe(true);
    const c = await open(host.port);
    expect((await c.eval('1 + 1')).values).toEqual(['2']);
  });

  it('a non-loopback address with mutual TLS listens, warns exactly once that the process is exposed, and serves TLS', async () => {
    // TLS alone no longer opens the network (test/hardening/access.test.ts): clients must present certificates.
    const host = await startHost({ env: tlsServer({ address: '0.0.0.0' }, { 'require-client-cert': true }), scheme: 'nrepls' });
    const warnings = host.child.stderr().split('\n').filter((l) => /WARNING/.test(l));
    expect(warnings).toEqual([`nrepl-ts: WARNING: server nrepl listens on 0.0.0.0:${host.port} (TLS): this process is exposed to the network`]);
    const c = await openTls(host.port, { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey });
    expect((await c.eval('6 * 7')).values).toEqual(['42']);
    await c.end();
  });
});

describe('TLS', () => {
  it('serves nREPL over TLS to Node’s TLS client (verified against the CA) and says nrepls:// in its start-up line', async () => {
    const host = await startHost({ env: tlsServer(), scheme: 'nrepls' });
    expect(host.child.stderr()).toMatch(new RegExp(`nREPL server started on port ${host.port} on host 127\\.0\\.0\\.1 - nrepls://127\\.0\\.0\\.1:${host.port}`));
    const c = await openTls(host.port, { ca: certs.ca });
    const d = await c.describe();
    expect(Object.keys(d.versions as object)).toContain('nrepl-ts');
    const r = await c.eval("console.log('over tls'); 'ok'");
    expect(r.out).toBe('over tls\n');
    expect(r.values).toEqual(["'ok'"]);
    await c.end();
  });

  it('answers a describe sent by openssl s_client', async () => {
    const host = await startHost({ env: tlsServer(), scheme: 'nrepls' });
    const r = await sClient(host.port, [], 'd2:op8:describee', DONE);
    expect(r.stdout, `openssl s_client output:\n${r.stdout}\n${r.stderr}`).toContain(NREPL_TS);
    expect(r.stdout).toContain('Verify return code: 0 (ok)');
    expect(r.stdout).toContain(DONE);
  });

  it('a plaintext client on the TLS port gets nothing and the server carries on', async () => {
    const host = await startHost({ env: tlsServer(), scheme: 'nrepls' });
    const raw = await openRaw(host.port);
    raw.write(frame({ op: 'describe', id: 'plain' }));
    await Promise.race([raw.closed, sleep(2_000)]);
    expect(raw.messages, 'no nREPL reply in plaintext').toEqual([]);
    const c = await openTls(host.port, { ca: certs.ca });
    expect((await c.eval('2 + 3')).values).toEqual(['5']);
    await c.end();
    expect(alive(host)).toBe(true);
  });

  it('unreadable TLS material is one error line; the app runs on', async () => {
    const missing = join(certs.dir, 'missing.crt');
    const child = spawnWithAgent({ env: tlsServer({}, { cert: missing }) });
    await child.waitFor(new RegExp(`nrepl-ts: server nrepl: tls\\.cert: cannot read ${missing.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
    await child.waitFor(/app ready/, { from: 'stdout' });
    expect(child.stderr()).not.toContain('nREPL server started');
    expect(child.proc.exitCode).toBe(null);
  });
});

describe('mutual TLS (require-client-cert)', () => {
  it('serves a client with a certificate from the CA, to Node’s client and to openssl s_client', async () => {
    const host = await startHost({ env: tlsServer({}, { 'require-client-cert': true }), scheme: 'nrepls' });
    const c = await openTls(host.port, { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey });
    expect((await c.eval("'mutual'")).values).toEqual(["'mutual'"]);
    await c.end();
    const r = await sClient(host.port, ['-cert', certs.clientCert, '-key', certs.clientKey], 'd2:op8:describee', DONE);
    expect(r.stdout, `openssl s_client output:\n${r.stdout}\n${r.stderr}`).toContain(NREPL_TS);
  });

  it('rejects a client without a certificate, or with one the CA did not sign; the app and good clients carry on', async () => {
    const host = await startHost({ env: tlsServer({}, { 'require-client-cert': true }), app: join(APPS, 'soak-http.cjs'), scheme: 'nrepls', http: true });
    const good = await openTls(host.port, { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey });
    const session = await good.clone();

    const attempt = async (opts: { cert?: string; key?: string }) => {
      const c = await openTls(host.port, { ca: certs.ca, ...opts }, 3_000);
      return c.describe();
    };
    await expect(attempt({}), 'no client certificate').rejects.toThrow();
    await expect(attempt({ cert: certs.rogueCert, key: certs.rogueKey }), 'a self-signed client certificate').rejects.toThrow();

    const noCert = await sClient(host.port, [], 'd2:op8:describee', DONE, 3_000);
    expect(noCert.stdout, 'openssl without a client certificate must get no nREPL reply').not.toContain(NREPL_TS);
    expect(`${noCert.stdout}${noCert.stderr}`).toMatch(/alert|certificate required|handshake failure/i);

    expect((await good.eval('40 + 2', { session })).values, 'an authenticated client keeps working').toEqual(['42']);
    const res = await fetch(`http://127.0.0.1:${host.httpPort}/`);
    expect(res.status).toBe(200);
    expect(alive(host)).toBe(true);
    await good.end();
  });
});

describe('.nrepl-port', () => {
  async function portFile(cwd: string): Promise<string> {
    const path = join(cwd, '.nrepl-port');
    const until = Date.now() + 5_000;
    while (Date.now() < until) {
      if (existsSync(path) && lstatSync(path).isFile()) {
        const text = readFileSync(path, 'utf8');
        if (/^\d+$/.test(text)) return path;
      }
      await sleep(20);
    }
    throw new Error(`no .nrepl-port in ${cwd}`);
  }

  it('is owner-only when written fresh', async () => {
    const host = await startHost();
    const path = await portFile(host.cwd);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it.each([0o644, 0o666, 0o604])('is owner-only even over a stale file with mode %o', async (mode) => {
    const cwd = tempDir('nrepl-port-stale-');
    const path = join(cwd, '.nrepl-port');
    writeFileSync(path, '1');
    chmodSync(path, mode);
    const host = await startHost({ cwd });
    await portFile(cwd);
    expect(readFileSync(path, 'utf8')).toBe(String(host.port));
    expect((statSync(path).mode & 0o777).toString(8), 'mode of a rewritten .nrepl-port').toBe('600');
  });

  it('never writes through a symlink planted at .nrepl-port, nor replaces it (it is not a port file)', async () => {
    const cwd = tempDir('nrepl-port-link-');
    const victim = join(tempDir('nrepl-port-victim-'), 'precious');
    writeFileSync(victim, 'do not touch');
    chmodSync(victim, 0o644);
    symlinkSync(victim, join(cwd, '.nrepl-port'));
    const host = await startHost({ cwd });
    await host.child.waitFor(/port-file: refusing to overwrite .*\.nrepl-port: it is a symbolic link/);
    expect(readFileSync(victim, 'utf8'), 'the symlink target must be left alone').toBe('do not touch');
    expect(statSync(victim).mode & 0o777).toBe(0o644);
    expect(lstatSync(join(cwd, '.nrepl-port')).isSymbolicLink(), 'the agent did not create the symlink, so it stays').toBe(true);
  });
});
