// A user accept function named by module specifier and export, with args.
import { describe, expect, it } from 'vitest';
import { APPS, spawnWithAgent, waitForServerPort } from '../helpers/agent';
import { connectText } from '../helpers/text-client';

describe('custom accept functions', () => {
  it('receives the client streams, server name, client id and args, on the main thread with app state', async () => {
    const child = spawnWithAgent({
      cwd: APPS,
      env: { NREPL_SERVER_ECHO: '{:port 0 :accept "./accept-handler.cjs#handle" :args ["howdy"]}' },
    });
    const port = await waitForServerPort(child, 'echo');
    const c = await connectText(port);
    expect(await c.until(/\n/)).toBe('howdy echo/1 hits=1\n');
    c.send('shout\n');
    expect(await c.until(/\n/)).toBe('SHOUT\n');
    c.send('bye\n');
    await c.closed;
    const d = await connectText(port);
    expect(await d.until(/\n/)).toBe('howdy echo/2 hits=1\n');
    d.end();
  });

  it('reports a missing export once per connection and keeps the app running', async () => {
    const child = spawnWithAgent({ cwd: APPS, env: { NREPL_SERVER_BAD: '{:port 0 :accept "./accept-handler.cjs#nope"}' } });
    const port = await waitForServerPort(child, 'bad');
    const c = await connectText(port);
    await c.closed;
    await child.waitFor(/server bad: accept \.\/accept-handler\.cjs#nope failed for client 1: .*no exported function "nope"/);
    expect(child.proc.exitCode).toBeNull();
  });

  it('reports a missing module file at start-up, naming the resolved path', async () => {
    const child = spawnWithAgent({ cwd: APPS, env: { NREPL_SERVER_GONE: '{:port 0 :accept "./no-such-file.js#x"}' } });
    await child.waitFor(/nrepl-ts: server gone: accept module .*no-such-file\.js does not exist/);
    await child.waitFor(/app ready/, { from: 'stdout' });
  });
});
