// Every configuration source, precedence between them, and what bad config does to the app (nothing).
import { describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnWithAgent, tempDir, waitForNreplPort, waitForServerPort } from '../helpers/agent';
import { connectText } from '../helpers/text-client';

async function replAnswers(port: number): Promise<void> {
  const c = await connectText(port);
  await c.until(/> $/);
  c.send('6 * 7\n');
  expect(await c.until(/> $/)).toContain('42');
  c.end();
}

describe('configuration sources', () => {
  it('reads NREPL_SERVER_<NAME> in EDN and in JSON', async () => {
    const child = spawnWithAgent({
      env: {
        NREPL_SERVER_EDN: '{:port 0 :accept nrepl-ts/repl :args [:x 1]}',
        NREPL_SERVER_JSON: '{"port":0,"accept":"nrepl-ts/repl"}',
      },
    });
    await replAnswers(await waitForServerPort(child, 'edn'));
    await replAnswers(await waitForServerPort(child, 'json'));
    // Explicit definitions replace the default nREPL server.
    expect(child.stderr()).not.toContain('nREPL server started');
  });

  it('reads .nrepl.edn (nREPL keys and :servers) from the working directory', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, '.nrepl.edn'), '{:port 0 :bind "127.0.0.1" :servers {:text {:port 0 :accept nrepl-ts/repl}}}');
    const child = spawnWithAgent({ cwd });
    await waitForNreplPort(child);
    await replAnswers(await waitForServerPort(child, 'text'));
  });

  it('reads the user file ~/.nrepl/nrepl.edn', async () => {
    const home = tempDir();
    mkdirSync(join(home, '.nrepl'));
    writeFileSync(join(home, '.nrepl/nrepl.edn'), '{:servers {:mine {:port 0 :accept nrepl-ts/repl}}}');
    const child = spawnWithAgent({ env: { HOME: home } });
    await replAnswers(await waitForServerPort(child, 'mine'));
  });

  it.each([
    ['package.json', JSON.stringify({ name: 'host-app', nrepl: { servers: { pkg: { port: 0, accept: 'nrepl-ts/repl' } } } })],
    ['.nreplrc.json', JSON.stringify({ servers: { pkg: { port: 0, accept: 'nrepl-ts/repl' } } })],
    ['.nreplrc.yaml', 'servers:\n  pkg:\n    port: 0\n    accept: nrepl-ts/repl\n'],
    ['nrepl.config.mjs', "export default { servers: { pkg: { port: 0, accept: 'nrepl-ts/repl' } } };\n"],
    ['nrepl.config.cjs', "module.exports = { servers: { pkg: { port: 0, accept: 'nrepl-ts/repl' } } };\n"],
  ])('reads %s through cosmiconfig', async (file, contents) => {
    const cwd = tempDir();
    writeFileSync(join(cwd, file), contents);
    const child = spawnWithAgent({ cwd });
    await replAnswers(await waitForServerPort(child, 'pkg'));
  });

  it('environment beats project files, which beat the user file, field by field', async () => {
    const cwd = tempDir();
    const home = tempDir();
    mkdirSync(join(home, '.nrepl'));
    writeFileSync(join(home, '.nrepl/nrepl.edn'), '{:servers {:dev {:port 1 :accept nrepl-ts/nrepl :args [:user]}}}');
    writeFileSync(join(cwd, '.nrepl.edn'), '{:servers {:dev {:accept nrepl-ts/repl}}}');
    const child = spawnWithAgent({ cwd, env: { HOME: home, NREPL_SERVER_DEV: '{:port 0}', NREPL_DEBUG: '1' } });
    const port = await waitForServerPort(child, 'dev');
    expect(port).toBeGreaterThan(1);
    await replAnswers(port);
    // NREPL_DEBUG shows where each effective value came from.
    const stderr = child.stderr();
    expect(stderr).toMatch(/port.*NREPL_SERVER_DEV/);
    expect(stderr).toMatch(/accept.*\.nrepl\.edn/);
    expect(stderr).toMatch(/args.*nrepl\.edn/);
  });
});

describe('bad configuration', () => {
  it('names the source and field in one line, starts nothing for that server, and the app runs', async () => {
    const child = spawnWithAgent({
      env: { NREPL_SERVER_BAD: '{:port "abc" :accept nrepl-ts/repl}', NREPL_SERVER_GOOD: '{:port 0 :accept nrepl-ts/repl}' },
    });
    await child.waitFor(/nrepl-ts: NREPL_SERVER_BAD: not started: port: .*"abc"/);
    await replAnswers(await waitForServerPort(child, 'good'));
    await child.waitFor(/app ready/, { from: 'stdout' });
    expect(child.stderr()).not.toMatch(/server bad /);
  });

  it('suggests the nearest key for a misspelled one', async () => {
    const child = spawnWithAgent({ env: { NREPL_SERVER_X: '{:prot 5555 :accept nrepl-ts/repl}' } });
    await child.waitFor(/nrepl-ts: NREPL_SERVER_X: not started: unknown key "prot"; did you mean "port"/);
    await child.waitFor(/app ready/, { from: 'stdout' });
  });

  it('reports malformed EDN in a file with its path, and the app runs', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, '.nrepl.edn'), '{:port 0 :servers {');
    const child = spawnWithAgent({ cwd });
    await child.waitFor(new RegExp(`nrepl-ts: ${cwd.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/\\.nrepl\\.edn: `));
    await child.waitFor(/app ready/, { from: 'stdout' });
  });

  it('NREPL_STRICT=1 makes a configuration error fatal before the app starts', async () => {
    const child = spawnWithAgent({ env: { NREPL_STRICT: '1', NREPL_SERVER_BAD: '{:port 99999 :accept nrepl-ts/repl}' } });
    const { code } = await child.exited;
    expect(code).toBe(1);
    expect(child.stderr()).toMatch(/NREPL_SERVER_BAD: not started: port/);
    expect(child.stderr()).toMatch(/NREPL_STRICT is set/);
    expect(child.stdout()).not.toContain('app ready');
  });

  it('NREPL_DISABLE=1 turns the agent off entirely: nothing starts and nothing is said, even with NREPL_DEBUG', async () => {
    const child = spawnWithAgent({ env: { NREPL_DISABLE: '1', NREPL_SERVER_REPL: '{:port 0 :accept nrepl-ts/repl}', NREPL_DEBUG: '1' } });
    await child.waitFor(/app ready/, { from: 'stdout' });
    await new Promise((r) => setTimeout(r, 300));
    expect(child.stderr()).toBe('');
  });

  it('NREPL_DISABLE=0 leaves the agent on', async () => {
    const child = spawnWithAgent({ env: { NREPL_DISABLE: '0', NREPL_SERVER_REPL: '{:port 0 :accept nrepl-ts/repl}' } });
    await child.waitFor(/listening on/);
  });
});

describe('a configuration found valid before (shared/config/verdicts.ts)', () => {
  // The worker skips zod's check of the specs it built once the same sources passed it; the
  // rules themselves run every time, so a broken or changed config is still reported.
  it("skips zod's check on the next start, never for a changed or a broken config", async () => {
    const runtime = tempDir();
    chmodSync(runtime, 0o700);
    const cwd = tempDir();
    // A home and config folder of the test's own: the developer's nrepl.edn must not take part.
    const home = tempDir();
    const start = async (value: string) => {
      const child = spawnWithAgent({ cwd, env: { NREPL_SERVER_REPL: value, NREPL_DEBUG: '1', XDG_RUNTIME_DIR: runtime, HOME: home, XDG_CONFIG_HOME: undefined, NREPL_CONFIG_DIR: undefined } });
      await child.waitFor(/nrepl-ts\[debug\]: ready: /);
      child.proc.kill('SIGKILL');
      await child.exited;
      return child.stderr();
    };
    const SKIPPED = "zod's check of the built specs skipped";
    const valid = '{:port 0 :accept nrepl-ts/repl}';
    expect(await start(valid)).not.toContain(SKIPPED);
    // Killed, not exited: the worker recorded the verdict itself, at start.
    expect(readFileSync(join(runtime, 'nrepl-ts', 'valid-configs'), 'utf8'), 'the worker\'s full verdict').toMatch(/^[0-9a-f]{16}-[0-9a-f]+ full$/m);
    const again = await start(valid);
    expect(again).toContain(SKIPPED);
    expect(again, 'the specs built without zod start the server as before').toMatch(/server repl \(nrepl-ts\/repl\) listening on 127\.0\.0\.1:\d+/);
    expect(await start('{:port 0 :accept nrepl-ts/prepl}')).not.toContain(SKIPPED);
    for (let i = 0; i < 2; i++) {
      const broken = await start('{:port 0 :accept nrepl-ts/repl :prot 1}');
      expect(broken).toContain('NREPL_SERVER_REPL: not started: unknown key "prot"');
      expect(broken).not.toContain(SKIPPED);
    }
  });
});
