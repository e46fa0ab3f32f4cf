// The `nrepl-ts` bin of the packed package: npm installs it executable, and
// `run` finds the agent inside its own install (not in this repository).
// --ignore-scripts: the suite has just built dist/; rebuilding would rewrite files other tests load.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir, waitForNreplPort } from '../helpers/agent';
import { spawnCli } from './helpers';

let app: string;
let bin: string;

beforeAll(() => {
  const packs = tempDir('nrepl-ts-cli-pack-');
  const out = execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', packs], { cwd: ROOT, encoding: 'utf8' });
  const tarball = join(packs, out.trim().split('\n').pop()!);
  app = tempDir('nrepl-ts-cli-app-');
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'some-app', private: true }));
  writeFileSync(join(app, 'app.cjs'), "globalThis.who = 'installed'; setInterval(() => {}, 1000); console.log('app ready');\n");
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--silent', tarball], { cwd: app, encoding: 'utf8' });
  bin = join(app, 'node_modules/.bin/nrepl-ts');
}, 180_000);

describe('the installed nrepl-ts bin', () => {
  it('is executable and runs by itself (#!/usr/bin/env node)', () => {
    accessSync(bin, constants.X_OK);
    expect(execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('runs an app with the agent from its own install; eval reaches it', async () => {
    const child = spawnCli(['run', 'app.cjs'], { command: bin, cwd: app });
    await waitForNreplPort(child);
    await child.waitFor(/app ready/, { from: 'stdout' });
    const out = execFileSync(bin, ['eval', 'who + " " + process.execArgv.join(" ")'], { cwd: app, encoding: 'utf8' });
    expect(out).toContain("'installed --import file://");
    expect(out).toContain(`${realpathSync(join(app, 'node_modules/nrepl-ts'))}/register.js`);
  });
});
