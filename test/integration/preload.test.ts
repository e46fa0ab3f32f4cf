// The preload reaches the app however it is given: --import, --require, NODE_OPTIONS; CJS, ESM and tsx apps.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { APPS, ROOT, spawnWithAgent, type PreloadVia } from '../helpers/agent';
import { waitForServerPort } from '../helpers/agent';
import { connectText } from '../helpers/text-client';

const REPL = { NREPL_SERVER_REPL: '{:port 0 :accept nrepl-ts/repl}' };

async function evaluate(port: number, code: string): Promise<string> {
  const c = await connectText(port);
  await c.until(/> $/);
  c.send(`${code}\n`);
  const answer = await c.until(/> $/);
  c.end();
  return answer;
}

describe('preload entry points', () => {
  const cases: Array<[PreloadVia, string, string]> = [
    ['import', 'long-running.cjs', 'from-the-app'],
    ['require', 'long-running.cjs', 'from-the-app'],
    ['node-options-import', 'long-running.cjs', 'from-the-app'],
    ['node-options-require', 'long-running.cjs', 'from-the-app'],
    ['import', 'long-running.mjs', 'from-the-esm-app'],
    ['require', 'long-running.mjs', 'from-the-esm-app'],
    ['node-options-import', 'long-running.mjs', 'from-the-esm-app'],
  ];
  it.each(cases)('via %s with %s', async (via, app, expected) => {
    const child = spawnWithAgent({ via, app: join(APPS, app), env: REPL });
    const port = await waitForServerPort(child, 'repl');
    await child.waitFor(/app ready/, { from: 'stdout' });
    expect(await evaluate(port, 'appGlobal')).toContain(expected);
  });

  it('works for a TypeScript app run through tsx', async () => {
    const child = spawnWithAgent({ cwd: ROOT, app: join(APPS, 'long-running.ts'), nodeArgs: ['--import', 'tsx'], env: REPL });
    const port = await waitForServerPort(child, 'repl');
    await child.waitFor(/app ready/, { from: 'stdout' });
    expect(await evaluate(port, 'appGlobal')).toContain('from-the-ts-app');
  });

  it('loads once when given both by NODE_OPTIONS and on the command line', async () => {
    const child = spawnWithAgent({ via: 'import', env: { ...REPL, NODE_OPTIONS: `--require ${join(ROOT, 'register.js')}` } });
    await waitForServerPort(child, 'repl');
    await child.waitFor(/app ready/, { from: 'stdout' });
    await new Promise((r) => setTimeout(r, 300));
    expect(child.stderr().match(/listening on/g)).toHaveLength(1);
  });
});

describe('public API', () => {
  it('starts, lists and stops servers from CommonJS, with coded one-line errors', async () => {
    const child = spawnWithAgent({ via: 'none', app: join(APPS, 'api-app.cjs') });
    const [line] = await child.waitFor(/api port=(\d+) .*\n/, { from: 'stdout' });
    expect(line).toMatch(/url=nrepl:\/\/127\.0\.0\.1:\d+ listed=api,tmp stopped=true unknown=false/);
    const [error] = await child.waitFor(/api error=.*\n/, { from: 'stdout' });
    expect(error).toMatch(/NREPL_CONFIG_INVALID .*port/);
    const port = Number(/port=(\d+)/.exec(line)![1]);
    expect(await evaluate(port, 'typeof startServer')).toContain("'undefined'");
  });

  it('is importable with named exports from ESM', async () => {
    const child = spawnWithAgent({ via: 'none', app: join(APPS, 'api-app.mjs') });
    const [, port] = await child.waitFor(/api port=(\d+) listed=esm/, { from: 'stdout' });
    expect(await evaluate(Number(port), '21 * 2')).toContain('42');
  });
});
