// The published package works by name: `npm pack`, install the tarball into an app outside the repo, run it.
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnWithAgent, waitForServerPort } from '../helpers/agent';
import { installPackedApp, installPackedNoisily } from '../helpers/pack';
import { connectText } from '../helpers/text-client';

let app: string;

beforeAll(() => {
  app = installPackedApp({
    'app.cjs': "globalThis.who = 'packed-app'; setInterval(() => {}, 1000); console.log('app ready');\n",
    'api.mjs':
      "import { startServer } from 'nrepl-ts';\nconst s = await startServer({ name: 'api', port: 0, accept: 'nrepl-ts/repl' });\nconsole.log('api ready ' + s.port);\nsetInterval(() => {}, 1000);\n",
  });
}, 180_000);

async function answers(port: number): Promise<string> {
  const c = await connectText(port);
  await c.until(/> $/);
  c.send('who\n');
  const text = await c.until(/> $/);
  c.end();
  return text;
}

describe('installed from the packed tarball', () => {
  it('ships built code and types', () => {
    expect(existsSync(join(app, 'node_modules/nrepl-ts/dist/index.d.ts'))).toBe(true);
    expect(existsSync(join(app, 'node_modules/nrepl-ts/src'))).toBe(false);
  });

  it.each(['--import', '--require'])('node %s nrepl-ts/register resolves by package name', async (flag) => {
    const child = spawnWithAgent({
      via: 'none',
      cwd: app,
      app: 'app.cjs',
      nodeArgs: [flag, 'nrepl-ts/register'],
      env: { NREPL_SERVER_REPL: '{:port 0 :accept nrepl-ts/repl}' },
    });
    expect(await answers(await waitForServerPort(child, 'repl'))).toContain('packed-app');
  });

  it('the API imports by name from ESM', async () => {
    const child = spawnWithAgent({ via: 'none', cwd: app, app: 'api.mjs' });
    const [, port] = await child.waitFor(/api ready (\d+)/, { from: 'stdout' });
    await answers(Number(port));
  });
});

describe('the packed package.json', () => {
  it('installs without any lifecycle script warning (npm 11 warns about install scripts, prepare included)', () => {
    const { app: fresh, stderr, status } = installPackedNoisily();
    expect(status).toBe(0);
    expect(stderr).not.toMatch(/install-scripts|prepare|postinstall/);
    const pkg = JSON.parse(readFileSync(join(fresh, 'node_modules/nrepl-ts/package.json'), 'utf8')) as { scripts?: Record<string, string> };
    for (const script of ['preinstall', 'install', 'postinstall', 'prepare']) expect(pkg.scripts?.[script]).toBeUndefined();
    expect(existsSync(join(fresh, 'node_modules/nrepl-ts/dist/cli/main.js'))).toBe(true);
  });
});
