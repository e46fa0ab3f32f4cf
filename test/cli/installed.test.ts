// The `nrepl-ts` bin of the packed package: npm installs it executable, and
// `run` finds the agent inside its own install (not in this repository).
import { execFileSync } from 'node:child_process';
import { accessSync, constants, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { waitForNreplPort } from '../helpers/agent';
import { installPackedApp } from '../helpers/pack';
import { spawnCli } from './helpers';

let app: string;
let bin: string;

beforeAll(() => {
  app = installPackedApp({ 'app.cjs': "globalThis.who = 'installed'; setInterval(() => {}, 1000); console.log('app ready');\n" });
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
