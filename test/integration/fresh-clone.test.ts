// The README's first command on a copy of the repository with nothing built and
// no node_modules, as a fresh clone is: `npm ci && npm run demo` must build by
// itself (there is no prepare script any more) and serve the demo on the ports
// the environment names.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, spawnWithAgent, tempDir } from '../helpers/agent';
import { connectText } from '../helpers/text-client';
import { freePort } from '../cli/helpers';

/** The files a clone of the current tree has (tracked and new, minus ignored ones), copied to a fresh folder. */
function cloneTree(): string {
  const dir = tempDir('nrepl-ts-clone-');
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const f of files) {
    if (f === 'node_modules' || f.startsWith('node_modules/') || !existsSync(join(ROOT, f))) continue;
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    cpSync(join(ROOT, f), join(dir, f));
  }
  return dir;
}

describe('a fresh clone', () => {
  it('npm ci && npm run demo builds and serves the demo on PORT, REPL_PORT, NREPL_PORT', async () => {
    const clone = cloneTree();
    expect(existsSync(join(clone, 'dist'))).toBe(false);
    const [http, repl, nrepl] = [await freePort(), await freePort(), await freePort()];
    const child = spawnWithAgent({
      via: 'none',
      command: 'sh',
      app: '-c',
      args: ['npm ci --prefer-offline --no-audit --no-fund && npm run demo'],
      cwd: clone,
      env: { PORT: String(http), REPL_PORT: String(repl), NREPL_PORT: String(nrepl) },
    });
    await child.waitFor(new RegExp(`server repl \\(nrepl-ts/repl\\) listening on 127\\.0\\.0\\.1:${repl}`), { timeoutMs: 200_000 });
    await child.waitFor(new RegExp(`nREPL server started on port ${nrepl} `));
    await child.waitFor(new RegExp(`demo app on http://127\\.0\\.0\\.1:${http}`), { from: 'stdout' });
    const c = await connectText(repl);
    await c.until(/> $/);
    c.send("require('./fixtures/apps/lib/state.js').state.name\n");
    expect(await c.until(/> $/)).toContain("'fixture-state'");
    c.end();
  }, 240_000);
});
