// `nrepl-ts` itself, `describe` and `sessions`: help, unknown commands, and
// readable (or --json) views of the server's describe and ls-sessions.
import { describe, expect, it } from 'vitest';
import { connect } from '../../src/client/client';
import { spawnWithAgent, tempDir, waitForNreplPort } from '../helpers/agent';
import { runCli } from './helpers';

async function startApp() {
  const cwd = tempDir('nrepl-cli-cmd-');
  const child = spawnWithAgent({ cwd });
  return { cwd, port: await waitForNreplPort(child) };
}

describe('nrepl-ts', () => {
  it('prints help for itself and for every command, with examples', async () => {
    const main = await runCli(['--help']);
    expect(main.code).toBe(0);
    for (const command of ['run', 'connect', 'eval', 'describe', 'sessions']) {
      expect(main.stdout).toContain(`  ${command} `);
      const help = await runCli([command, '--help']);
      expect(help.code, command).toBe(0);
      expect(help.stdout, command).toMatch(new RegExp(`^Usage: nrepl-ts ${command}`));
      expect(help.stdout, command).toMatch(/Examples:\n {2}nrepl-ts/);
    }
    expect((await runCli(['help', 'run'])).stdout).toMatch(/^Usage: nrepl-ts run/);
  });

  it('answers an unknown command or option with one line and exit 2', async () => {
    expect(await runCli(['conect'])).toMatchObject({
      code: 2,
      stdout: '',
      stderr: 'nrepl-ts: unknown command "conect"; commands are connect, eval, run, describe, sessions, attach, ps, env (see `nrepl-ts --help`)\n',
    });
    expect(await runCli(['--port', '1'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^nrepl-ts: unknown option --port; .*\n$/) });
    expect(await runCli(['describe', '--verbos'])).toMatchObject({ code: 2, stderr: 'nrepl-ts describe: unknown option --verbos; see `nrepl-ts describe --help`\n' });
  });

  it('--version prints the package version', async () => {
    const r = await runCli(['--version']);
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('nrepl-ts describe', () => {
  it('shows versions and ops readably, or the reply as JSON', async () => {
    const { cwd, port } = await startApp();
    const r = await runCli(['describe'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^nREPL server at 127\\.0\\.0\\.1:${port}\\n`));
    expect(r.stdout).toMatch(/^versions {2}.*nrepl-ts \d+\.\d+\.\d+/m);
    expect(r.stdout).toMatch(/^versions {2}.*node \d+/m);
    expect(r.stdout).toMatch(/^ops {7}.*clone/m);
    expect(r.stdout).toContain('eval');
    expect(r.stdout).toMatch(/^aux {7}current-ns user$/m);
    const verbose = await runCli(['describe', '--verbose', `nrepl://127.0.0.1:${port}`]);
    expect(verbose.stdout).toMatch(/\neval\n {2}\S.*\n {2}requires +code: /);
    const json = await runCli(['describe', '--json', String(port)]);
    expect(JSON.parse(json.stdout)).toMatchObject({ ops: { eval: {} }, aux: { 'current-ns': 'user' } });
  });
});

describe('nrepl-ts sessions', () => {
  it('lists the sessions clients have open', async () => {
    const { port } = await startApp();
    expect((await runCli(['sessions', '-p', String(port)])).stdout).toBe(`no sessions on 127.0.0.1:${port}\n`);
    const client = await connect({ port });
    try {
      const a = await client.clone();
      const b = await client.clone();
      const r = await runCli(['sessions', '--port', String(port)]);
      expect(r.code).toBe(0);
      expect(r.stdout.split('\n')[0]).toBe(`2 sessions on 127.0.0.1:${port}:`);
      expect(r.stdout).toContain(`  ${a}\n`);
      expect(r.stdout).toContain(`  ${b}\n`);
      expect(JSON.parse((await runCli(['sessions', '--json', '--port', String(port)])).stdout).sessions.sort()).toEqual([a, b].sort());
    } finally {
      await client.end();
    }
  });
});
