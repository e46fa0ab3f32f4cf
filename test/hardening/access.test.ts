// Access (host-safety issue): only the user who owns the process gets in.
// - Network exposure: a project file shipped with a cloned repository cannot
//   open the app to the network: its `allow-remote` is ignored and TLS without
//   client certificates is not enough; the server is refused with one line
//   naming the file and field, the app runs on. The environment (or the user
//   nrepl.edn, or the API: test/server/exposure.test.ts) can still opt in.
import { writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnWithAgent, tempDir } from '../helpers/agent';
import { alive, makeCerts, type Certs } from './helpers';

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
