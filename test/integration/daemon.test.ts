// server-daemon / client-daemon: the agent never keeps the host alive unless asked to.
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { APPS, spawnWithAgent, tempDir, waitForServerPort } from '../helpers/agent';
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

  it('the word daemon elsewhere in package.json does not hold the process', async () => {
    const cwd = tempDir();
    const pkg = { name: 'daemon-tools', description: 'runs a daemon', scripts: { daemon: 'node daemon.js --server-daemon false' } };
    writeFileSync(join(cwd, 'package.json'), JSON.stringify(pkg));
    const child = spawnWithAgent({ app, cwd, env: { WORK_MS: '50', NREPL_DEBUG: '1' } });
    const { code } = await child.exited;
    expect(code).toBe(0);
    expect(child.stderr()).toContain('no daemon option set to false in the config sources: the process is not held');
  });

  it('a config that never finishes loading holds the process for a bounded time only, then the app exits', async () => {
    const cwd = tempDir();
    // Asks for server-daemon false, then never returns: the worker is stuck loading it.
    writeFileSync(join(cwd, 'nrepl.config.js'), 'for (;;) {}\nmodule.exports = { servers: { repl: { port: 0, accept: "nrepl-ts/repl", serverDaemon: false } } };\n');
    const child = spawnWithAgent({ app, cwd, env: { WORK_MS: '50', NREPL_DEBUG: '1' } });
    const { code } = await child.exited;
    expect(code).toBe(0);
    expect(child.stdout()).toContain('app finished');
    expect(child.stderr()).toMatch(/nrepl\.config\.js sets a daemon option to false: holding the process up to \d+ ms/);
    expect(child.stderr()).toMatch(/the config is still loading after \d+ ms: the process is no longer held/);
    expect(child.stderr()).not.toContain('listening');
  });
});
