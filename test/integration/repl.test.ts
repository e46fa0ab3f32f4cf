// The plain REPL (`nrepl-ts/repl`) over a real socket, as a person with nc would use it.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { APPS, spawnWithAgent, waitForServerPort } from '../helpers/agent';
import { connectText } from '../helpers/text-client';

const REPL = '{:port 0 :accept nrepl-ts/repl}';
const PROMPT = /> $/;

async function startRepl(app = join(APPS, 'long-running.cjs')) {
  const child = spawnWithAgent({ app, cwd: APPS, env: { NREPL_SERVER_REPL: REPL } });
  await child.waitFor(/app ready/, { from: 'stdout' });
  const port = await waitForServerPort(child, 'repl');
  return { child, port };
}

describe('nrepl-ts/repl', () => {
  it('evaluates in the host global context, with await, multi-line input and errors that do not harm the app', async () => {
    const { child, port } = await startRepl();
    const c = await connectText(port);
    await c.until(PROMPT);
    c.send('appGlobal\n');
    expect(await c.until(PROMPT)).toContain("'from-the-app'");
    c.send('await new Promise((r) => setTimeout(() => r(40 + 2), 10))\n');
    expect(await c.until(PROMPT)).toContain('42');
    c.send('function twice(x) {\n');
    await c.until(/(\.\.\.|\|) $/); // Node 24 shows '| ', earlier versions '... '
    c.send('  return x * 2 }\n');
    await c.until(PROMPT);
    c.send('twice(21)\n');
    expect(await c.until(PROMPT)).toContain('42');
    c.send("throw new Error('boom from the repl')\n");
    expect(await c.until(PROMPT)).toMatch(/Uncaught Error: boom from the repl/);
    c.send('1 + 1\n');
    expect(await c.until(PROMPT)).toContain('2');
    expect(child.proc.exitCode).toBeNull();
    c.end();
  });

  it('require and import from the REPL resolve against the app cwd and return the app’s own module instances', async () => {
    const { port } = await startRepl(join(APPS, 'long-running.mjs'));
    const c = await connectText(port);
    await c.until(PROMPT);
    c.send("require('./lib/state.js').state.hits\n");
    expect(await c.until(PROMPT)).toMatch(/^1\n/);
    c.send("(await import('./lib/esm-state.mjs')).esmState === globalThis.esmStateSeenByApp\n");
    expect(await c.until(PROMPT)).toMatch(/^true\n/);
    c.end();
  });

  it('sends console output of evaluated code, also from timers it started, to the client and not to the app stdout', async () => {
    const { child, port } = await startRepl();
    const c = await connectText(port);
    await c.until(PROMPT);
    c.send("console.log('to-the-client'); setTimeout(() => console.log('later-to-the-client'), 30); 'sent'\n");
    await c.until(/later-to-the-client\n/);
    expect(child.stdout()).not.toContain('to-the-client');
    c.end();
  });

  it('.exit and :repl/quit close only that connection; clients each get their own REPL', async () => {
    const { child, port } = await startRepl();
    const a = await connectText(port);
    const b = await connectText(port);
    await a.until(PROMPT);
    await b.until(PROMPT);
    a.send('var sharedFromA = 5\n');
    await a.until(PROMPT);
    a.send('.exit\n');
    await a.closed;
    b.send('sharedFromA + 1\n');
    expect(await b.until(PROMPT)).toContain('6');
    b.send(':repl/quit\n');
    await b.closed;
    const c = await connectText(port);
    await c.until(PROMPT);
    c.send('"still serving"\n');
    expect(await c.until(PROMPT)).toContain('still serving');
    expect(child.proc.exitCode).toBeNull();
    c.end();
  });
});
