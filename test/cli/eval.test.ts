// `nrepl-ts eval` as scripts use it: value on stdout and exit 0, eval errors
// exit 1, connection problems exit 2 with one line saying what to do, --json
// lines, code from stdin, and the port found in a parent folder's .nrepl-port.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPS, spawnWithAgent, tempDir, waitForNreplPort } from '../helpers/agent';
import { answers, freePort, runCli, spawnCli, untilUnresponsive } from './helpers';

async function startApp() {
  const cwd = tempDir('nrepl-cli-eval-');
  const child = spawnWithAgent({ cwd });
  const port = await waitForNreplPort(child);
  return { cwd, port, child };
}

describe('nrepl-ts eval', () => {
  it('prints the value on stdout and exits 0; out goes to stdout, err to stderr', async () => {
    const { port } = await startApp();
    const r = await runCli(['eval', '--port', String(port), '1 + 1']);
    expect(r).toMatchObject({ code: 0, stdout: '2\n', stderr: '' });
    const out = await runCli(['eval', '-p', String(port), 'console.log("hello"); console.error("oops"); process.stdout.write("no newline"); "v"']);
    expect(out.code).toBe(0);
    expect(out.stdout).toBe("hello\nno newline\n'v'\n");
    expect(out.stderr).toBe('oops\n');
  });

  it('exits 1 on an eval error, with the error on stderr', async () => {
    const { port } = await startApp();
    const r = await runCli(['eval', '--port', String(port), 'null.x']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/TypeError: Cannot read properties of null/);
    const thrown = await runCli(['eval', '--port', String(port), 'throw new RangeError("bad")']);
    expect(thrown.code).toBe(1);
    expect(thrown.stderr).toMatch(/RangeError: bad/);
  });

  it('exits 2 with one clear line when there is no server', async () => {
    const empty = tempDir('nrepl-cli-none-');
    const none = await runCli(['eval', '1'], { cwd: empty });
    expect(none).toMatchObject({ code: 2, stdout: '' });
    expect(none.stderr).toBe(`nrepl-ts: no .nrepl-port found in ${empty} or its parents; start the app with \`nrepl-ts run app.js\` or pass --port\n`);
    const port = await freePort();
    const refused = await runCli(['eval', '--port', String(port), '1']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(new RegExp(`^nrepl-ts: could not connect to nREPL at 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED.*\\n$`));
    writeFileSync(join(empty, '.nrepl-port'), String(port));
    const stale = await runCli(['eval', '1'], { cwd: empty });
    expect(stale.code).toBe(2);
    expect(stale.stderr).toContain(`(port from ${join(empty, '.nrepl-port')}; is the app still running?)`);
    expect(stale.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('--json prints every response message as one JSON line', async () => {
    const { port } = await startApp();
    const r = await runCli(['eval', '--json', '--port', String(port), 'console.log("hi"); 6 * 7']);
    expect(r.code).toBe(0);
    const messages = r.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(messages.find((m) => m.out === 'hi\n')).toBeDefined();
    expect(messages.find((m) => m.value === '42')).toMatchObject({ ns: 'user' });
    expect(messages[messages.length - 1]!.status).toEqual(['done']);
    for (const m of messages) expect(m.id).toBe(messages[0]!.id);
    const failed = await runCli(['eval', '--json', '--port', String(port), 'null.x']);
    expect(failed.code).toBe(1);
    expect(failed.stdout.trim().split('\n').map((l) => JSON.parse(l) as { status?: string[] }).some((m) => m.status?.includes('eval-error'))).toBe(true);
  });

  it('reads the code from stdin with -, multi-line and with declarations', async () => {
    const { port } = await startApp();
    const r = await runCli(['eval', '--port', String(port), '-'], { input: 'const a = 20;\nfunction twice(x) {\n  return x * 2;\n}\ntwice(a) + 2\n' });
    expect(r).toMatchObject({ code: 0, stdout: '42\n' });
  });

  it('finds the port in .nrepl-port of a parent folder', async () => {
    const { cwd } = await startApp();
    const deep = join(cwd, 'src', 'lib');
    mkdirSync(deep, { recursive: true });
    const r = await runCli(['eval', 'globalThis.appGlobal'], { cwd: deep });
    expect(r).toMatchObject({ code: 0, stdout: "'from-the-app'\n" });
  });

  it('Ctrl-C (SIGINT) interrupts the eval and exits 130; the app runs on', async () => {
    const cwd = tempDir('nrepl-cli-eval-');
    const app = spawnWithAgent({ cwd, app: join(APPS, 'nrepl-http.cjs') });
    const port = await waitForNreplPort(app);
    const httpPort = Number((await app.waitFor(/http listening on (\d+)/, { from: 'stdout' }))[1]);
    const cli = spawnCli(['eval', '--port', String(port), 'while (true) {}']);
    await untilUnresponsive(httpPort);
    cli.proc.kill('SIGINT');
    expect(await cli.exited).toEqual({ code: 130, signal: null });
    expect(cli.stdout()).toBe('');
    expect(await answers(httpPort, 2_000)).toBe(true);
  });

  it('rejects bad usage with one line and exit 2', async () => {
    const missing = await runCli(['eval']);
    expect(missing).toMatchObject({ code: 2, stderr: 'nrepl-ts eval: missing CODE; see `nrepl-ts eval --help`\n' });
    const unknown = await runCli(['eval', '--nope', '1']);
    expect(unknown).toMatchObject({ code: 2, stderr: 'nrepl-ts eval: unknown option --nope; see `nrepl-ts eval --help`\n' });
    const help = await runCli(['eval', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: nrepl-ts eval/);
    expect(help.stdout).toContain('Examples:');
  });
});
