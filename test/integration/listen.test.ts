// Binding: taken ports, unix sockets (owner-only, stale vs live), and loopback-only by default.
import { describe, expect, it } from 'vitest';
import * as net from 'node:net';
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnWithAgent, tempDir, waitForServerPort } from '../helpers/agent';
import { connectText } from '../helpers/text-client';

function occupyPort(): Promise<net.Server> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => resolve(server));
  });
}

describe('listening', () => {
  it('a taken port gets one clear line; other servers and the app carry on', async () => {
    const blocker = await occupyPort();
    const taken = (blocker.address() as net.AddressInfo).port;
    try {
      const child = spawnWithAgent({
        env: {
          NREPL_SERVER_A: `{:port ${taken} :accept nrepl-ts/repl}`,
          NREPL_SERVER_B: '{:port 0 :accept nrepl-ts/repl}',
        },
      });
      await child.waitFor(new RegExp(`nrepl-ts: server a: cannot listen on 127\\.0\\.0\\.1:${taken}: address already in use`));
      const port = await waitForServerPort(child, 'b');
      const c = await connectText(port);
      await c.until(/> $/);
      c.end();
      await child.waitFor(/app ready/, { from: 'stdout' });
      expect(child.stderr().match(/server a/g)).toHaveLength(1);
    } finally {
      blocker.close();
    }
  });

  it('creates unix sockets owner-only and serves on them', async () => {
    const dir = tempDir();
    const path = join(dir, 'repl.sock');
    const child = spawnWithAgent({ env: { NREPL_SERVER_U: JSON.stringify({ socket: path, accept: 'nrepl-ts/repl' }) } });
    await child.waitFor(/server u \(nrepl-ts\/repl\) listening on .*repl\.sock/);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const c = await connectText(path);
    await c.until(/> $/);
    c.send('1 + 2\n');
    expect(await c.until(/> $/)).toContain('3');
    c.end();
    child.proc.kill('SIGTERM');
    await child.exited;
    // Death by signal runs no JS: the watchdog removes the socket file just after.
    const until = Date.now() + 3_000;
    while (existsSync(path) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(existsSync(path)).toBe(false);
  });

  it('replaces a stale socket file but never takes over a live one', async () => {
    const dir = tempDir();
    const path = join(dir, 'repl.sock');
    const spec = { NREPL_SERVER_U: JSON.stringify({ socket: path, accept: 'nrepl-ts/repl' }) };
    // A live socket owned by someone else.
    const other = net.createServer().listen(path);
    await new Promise((r) => other.once('listening', r));
    const refused = spawnWithAgent({ env: spec });
    await refused.waitFor(/socket .*repl\.sock is in use by a live process/);
    await new Promise<void>((r) => other.close(() => r()));
    // A stale socket: its owner died without unlinking (SIGKILL).
    const dead = spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`]);
    expect(dead.signal).toBe('SIGKILL');
    expect(existsSync(path)).toBe(true);
    const child = spawnWithAgent({ env: spec });
    await child.waitFor(/server u \(nrepl-ts\/repl\) listening on/);
    const c = await connectText(path);
    await c.until(/> $/);
    c.end();
  });

  it('refuses a non-loopback address unless allow-remote is set, and then warns loudly', async () => {
    const refused = spawnWithAgent({ env: { NREPL_SERVER_OPEN: '{:port 0 :address "0.0.0.0" :accept nrepl-ts/repl}' } });
    await refused.waitFor(/nrepl-ts: NREPL_SERVER_OPEN: address: refusing to listen on non-loopback address 0\.0\.0\.0 without client certificates/);
    await refused.waitFor(/app ready/, { from: 'stdout' });
    expect(refused.stderr()).not.toContain('listening on');
    const allowed = spawnWithAgent({ env: { NREPL_SERVER_OPEN: '{:port 0 :address "0.0.0.0" :allow-remote true :accept nrepl-ts/repl}' } });
    await allowed.waitFor(/WARNING: server open listens on 0\.0\.0\.0:\d+ WITHOUT TLS: this process is exposed/);
  });
});
