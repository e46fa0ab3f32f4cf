// `npm test`'s pretest step (scripts/test-tools.cjs): nothing when the tools are
// there, an install when it may, otherwise one line naming what to run.
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanEnv, ROOT, tempDir } from '../helpers/agent';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const tools = require('../../scripts/test-tools.cjs') as {
  plan(input: { missing: Array<{ name: string; pkg: string }>; isRoot: boolean; hasSudo: boolean; allowInstall: boolean }): { action: string; sudo?: boolean; line?: string };
  missingTools(env: Record<string, string | undefined>, exists?: (f: string) => boolean): Array<{ name: string; pkg: string }>;
};
const SCRIPT = join(ROOT, 'scripts/test-tools.cjs');
const tmux = { name: 'tmux', pkg: 'tmux' };
const jar = { name: '/usr/share/java/nrepl.jar', pkg: 'libnrepl-clojure' };

describe('plan (pure)', () => {
  it('does nothing when nothing is missing', () => {
    expect(tools.plan({ missing: [], isRoot: false, hasSudo: false, allowInstall: true })).toEqual({ action: 'none' });
  });
  it('installs as root, or through sudo, naming what and from which packages', () => {
    const root = tools.plan({ missing: [tmux, jar], isRoot: true, hasSudo: false, allowInstall: true });
    expect(root).toMatchObject({ action: 'install', sudo: false });
    expect(root.line).toContain('tmux, /usr/share/java/nrepl.jar; Debian packages tmux libnrepl-clojure');
    expect(tools.plan({ missing: [tmux], isRoot: false, hasSudo: true, allowInstall: true })).toMatchObject({ action: 'install', sudo: true });
  });
  it('reports one line with the command when it may not install', () => {
    const user = tools.plan({ missing: [tmux], isRoot: false, hasSudo: false, allowInstall: true });
    expect(user.action).toBe('report');
    expect(user.line).toBe(
      'npm test: missing test tools: tmux (not root and no password-less sudo); install them with `sudo bash scripts/install-test-tools.sh` (Debian packages tmux), then run npm test again',
    );
    expect(tools.plan({ missing: [tmux], isRoot: true, hasSudo: false, allowInstall: false }).line).toContain('(NREPL_TS_INSTALL_TOOLS=0); install them with `bash scripts/install-test-tools.sh`');
  });
});

describe('missingTools', () => {
  it('looks commands up on PATH and jars on disk, unless NREPL_TS_CLOJURE_CP replaces the jars', () => {
    const none = tempDir('nrepl-ts-path-');
    const names = tools.missingTools({ PATH: none }, () => false).map((m) => m.name);
    expect(names).toEqual(expect.arrayContaining(['java', 'tmux', 'nc', 'openssl', '/usr/share/java/data.json.jar']));
    expect(tools.missingTools({ PATH: none, NREPL_TS_CLOJURE_CP: '/x.jar' }, () => false).map((m) => m.name)).toEqual(['java', 'tmux', 'nc', 'openssl']);
  });
});

describe('the pretest step, run as npm runs it', () => {
  it('on this machine (CI installs the tools) says nothing and exits 0', () => {
    const run = spawnSync(process.execPath, [SCRIPT], { cwd: ROOT, env: cleanEnv(), encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
  it('on a machine without the tools, where it may not install: exactly one line and exit 1', () => {
    const bin = join(tempDir('nrepl-ts-bare-'), 'bin');
    mkdirSync(bin);
    symlinkSync(process.execPath, join(bin, 'node'));
    const run = spawnSync(join(bin, 'node'), [SCRIPT], { cwd: ROOT, env: cleanEnv({ PATH: bin, NREPL_TS_INSTALL_TOOLS: '0' }), encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^npm test: missing test tools: java, tmux, nc, openssl.*bash scripts\/install-test-tools\.sh/);
  });
  it('is what `npm test` runs first', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pkg = require('../../package.json') as { scripts: Record<string, string> };
    expect(pkg.scripts.pretest).toBe('node scripts/test-tools.cjs');
  });
});
