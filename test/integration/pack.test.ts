// The published package works by name: `npm pack`, install the tarball into an app outside the repo, run it.
// --ignore-scripts: `npm test` has just built dist/, and rebuilding here would rewrite files other tests are loading.
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, spawnWithAgent, tempDir, waitForServerPort } from '../helpers/agent';
import { connectText } from '../helpers/text-client';

let app: string;

beforeAll(() => {
  const packs = tempDir('nrepl-ts-pack-');
  const out = execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', packs], { cwd: ROOT, encoding: 'utf8' });
  const tarball = join(packs, out.trim().split('\n').pop()!);
  app = tempDir('nrepl-ts-app-');
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'some-app', private: true }));
  writeFileSync(join(app, 'app.cjs'), "globalThis.who = 'packed-app'; setInterval(() => {}, 1000); console.log('app ready');\n");
  writeFileSync(
    join(app, 'api.mjs'),
    "import { startServer } from 'nrepl-ts';\nconst s = await startServer({ name: 'api', port: 0, accept: 'nrepl-ts/repl' });\nconsole.log('api ready ' + s.port);\nsetInterval(() => {}, 1000);\n",
  );
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--silent', tarball], { cwd: app, encoding: 'utf8' });
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
