// `npm run demo` (scripts/demo.cjs): every port comes from the environment, a
// busy or bad one ends in one line naming the variable, and the demo app keeps
// its state in modules that a REPL reaches through require().
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT, spawnWithAgent } from '../helpers/agent';
import { connectText } from '../helpers/text-client';
import { answers, freePort } from '../cli/helpers';

const DEMO = join(ROOT, 'scripts/demo.cjs');
const holders: Server[] = [];
afterEach(() => holders.splice(0).forEach((s) => s.close()));

function demo(env: Record<string, string>) {
  return spawnWithAgent({ via: 'none', app: DEMO, cwd: ROOT, env });
}

async function hold(): Promise<number> {
  const server = createServer();
  holders.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as { port: number }).port;
}

describe('npm run demo', () => {
  it('listens on the ports PORT, REPL_PORT and NREPL_PORT name; the REPL sees the module state', async () => {
    const [http, repl, nrepl] = [await freePort(), await freePort(), await freePort()];
    const child = demo({ PORT: String(http), REPL_PORT: String(repl), NREPL_PORT: String(nrepl) });
    await child.waitFor(new RegExp(`nREPL server started on port ${nrepl} `));
    await child.waitFor(new RegExp(`server repl \\(nrepl-ts/repl\\) listening on 127\\.0\\.0\\.1:${repl}`));
    await child.waitFor(new RegExp(`demo app on http://127\\.0\\.0\\.1:${http}`), { from: 'stdout' });
    expect(await answers(http, 2_000)).toBe(true);
    const c = await connectText(repl);
    await c.until(/> $/);
    c.send("typeof globalThis.state + ' ' + typeof globalThis.server\n");
    expect(await c.until(/> $/)).toContain("'undefined undefined'");
    c.send("const { state } = require('./fixtures/apps/lib/state.js'); state.hits\n");
    expect(await c.until(/> $/)).toMatch(/^1\r?\n/m);
    c.send("require('./fixtures/apps/demo.js').server.address().port\n");
    expect(await c.until(/> $/)).toContain(String(http));
    c.end();
  });

  it.each([
    ['PORT', "the demo app's HTTP server"],
    ['REPL_PORT', 'the plain REPL'],
    ['NREPL_PORT', 'the nREPL server'],
  ])('a busy %s ends in one line naming the variable, before the app starts', async (variable, what) => {
    const busy = await hold();
    const env: Record<string, string> = { PORT: '0', REPL_PORT: '0', NREPL_PORT: '0', [variable]: String(busy) };
    const child = demo(env);
    expect((await child.exited).code).toBe(1);
    expect(child.stdout()).toBe('');
    const lines = child.stderr().trimEnd().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(new RegExp(`^npm run demo: port ${busy} \\(${what}.*is in use by another process; choose another: ${variable}=${busy + 1} npm run demo`)),
    ]);
    expect(child.stderr()).not.toContain('EADDRINUSE');
  });

  it('a port that is not a number ends in one line', async () => {
    const child = demo({ PORT: 'eighty' });
    expect((await child.exited).code).toBe(1);
    expect(child.stderr()).toBe('npm run demo: PORT="eighty": expected a port number 0-65535 (0 = any free port) for the demo app\'s HTTP server\n');
  });
});
