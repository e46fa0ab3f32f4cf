// server-daemon / client-daemon: the agent never keeps the host alive unless asked to.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { APPS, spawnWithAgent, waitForServerPort } from '../helpers/agent';
import { connectText } from '../helpers/text-client';

const app = join(APPS, 'short-work.cjs');

describe('daemon semantics', () => {
  it('an app that would exit still exits with a server listening and a client connected', async () => {
    const child = spawnWithAgent({ app, env: { WORK_MS: '1500', NREPL_SERVER_REPL: '{:port 0 :accept nrepl-ts/repl}' } });
    const port = await waitForServerPort(child, 'repl');
    const c = await connectText(port);
    await c.until(/> $/);
    const { code } = await child.exited;
    expect(code).toBe(0);
    expect(child.stdout()).toContain('app finished');
  });

  it('with server-daemon false the process stays up after the app is done', async () => {
    const child = spawnWithAgent({
      app,
      env: { WORK_MS: '50', NREPL_SERVER_REPL: '{:port 0 :accept nrepl-ts/repl :server-daemon false}' },
    });
    const port = await waitForServerPort(child, 'repl');
    await child.waitFor(/app finished/, { from: 'stdout' });
    // Still serving after the app's own work ended: prove it by talking to it.
    const c = await connectText(port);
    await c.until(/> $/);
    c.send('process.pid\n');
    expect(await c.until(/> $/)).toContain(String(child.proc.pid));
    expect(child.proc.exitCode).toBeNull();
    c.end();
  });

  it('with client-daemon false a connected client keeps the process up until it leaves', async () => {
    const child = spawnWithAgent({
      app,
      env: { WORK_MS: '1500', NREPL_SERVER_REPL: '{:port 0 :accept nrepl-ts/repl :client-daemon false}' },
    });
    const port = await waitForServerPort(child, 'repl');
    const c = await connectText(port);
    await c.until(/> $/);
    await child.waitFor(/app finished/, { from: 'stdout' });
    c.send('"alive after the app finished"\n');
    expect(await c.until(/> $/)).toContain('alive after the app finished');
    c.end();
    const { code } = await child.exited;
    expect(code).toBe(0);
  });
});
