// `nrepl-ts run`: the app runs under node with the agent, gets its arguments,
// and its exit code or death by signal is ours; signals sent to us reach it;
// server options start the servers they name.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectText } from '../helpers/text-client';
import { APPS, tempDir, waitForNreplPort, waitForServerPort } from '../helpers/agent';
import { freePort, runCli, spawnCli, Tmux } from './helpers';

const APP = join(APPS, 'cli-app.cjs');

describe('nrepl-ts run', () => {
  it('passes the arguments through and exits with the app\'s code', async () => {
    const cwd = tempDir('nrepl-cli-run-');
    const r = await runCli(['run', APP, 'exit', '3', '--port', '-x', '--', 'z'], { cwd });
    expect(r.stdout).toBe('args ["exit","3","--port","-x","--","z"]\n');
    expect(r.code).toBe(3);
    expect((await runCli(['run', '--', APP, 'exit', '0'], { cwd })).code).toBe(0);
  });

  it('gives the app an nREPL server that describe and eval reach through .nrepl-port', async () => {
    const cwd = tempDir('nrepl-cli-run-');
    const app = spawnCli(['run', APP, 'wait'], { cwd });
    const port = await waitForNreplPort(app);
    await app.waitFor(/app ready/, { from: 'stdout' });
    expect(readFileSync(join(cwd, '.nrepl-port'), 'utf8').trim()).toBe(String(port));
    const d = await runCli(['describe'], { cwd });
    expect(d.code).toBe(0);
    expect(d.stdout).toContain(`nREPL server at 127.0.0.1:${port}`);
    expect((await runCli(['eval', 'process.argv.slice(2)'], { cwd })).stdout).toBe("[ 'wait' ]\n");
  });

  it('forwards SIGTERM and dies of the same signal when the app does', async () => {
    const app = spawnCli(['run', APP, 'wait']);
    await app.waitFor(/app ready/, { from: 'stdout' });
    app.proc.kill('SIGTERM');
    expect(await app.exited).toEqual({ code: null, signal: 'SIGTERM' });
  });

  it('forwards SIGINT (stdin is not a terminal) to an app that handles it', async () => {
    const app = spawnCli(['run', APP, 'trap', 'SIGINT']);
    await app.waitFor(/app ready/, { from: 'stdout' });
    app.proc.kill('SIGINT');
    expect(await app.exited).toEqual({ code: 7, signal: null });
    expect(app.stdout()).toContain('got SIGINT');
  });

  it('in a terminal, Ctrl-C reaches the app once (from the terminal, not forwarded again)', async () => {
    const term = new Tmux(['run', APP, 'trap', 'SIGINT'], { cwd: tempDir('nrepl-cli-run-') });
    await term.waitFor(/^app ready$/m);
    await term.waitFor(/nREPL server started/);
    term.keys('C-c');
    await term.waitFor(/^\[exit 7\]$/m);
    expect(term.screen().match(/got SIGINT/g)).toHaveLength(1);
  });

  it('in a terminal, an app killed by Ctrl-C takes nrepl-ts run with it (SIGINT)', async () => {
    const term = new Tmux(['run', APP, 'wait'], { cwd: tempDir('nrepl-cli-run-') });
    await term.waitFor(/^app ready$/m);
    await term.waitFor(/nREPL server started/);
    term.keys('C-c');
    await term.waitFor(/\[exit SIGINT\]$/m);
  });

  it('starts the nREPL server on --port, with --host', async () => {
    const cwd = tempDir('nrepl-cli-run-');
    const wanted = await freePort();
    const app = spawnCli(['run', '--port', String(wanted), '--host', '127.0.0.1', APP, 'wait'], { cwd });
    expect(await waitForNreplPort(app)).toBe(wanted);
    expect((await runCli(['eval', '--port', String(wanted), '1 + 1'])).stdout).toBe('2\n');
  });

  it('starts the servers named by --socket and --repl', async () => {
    const cwd = tempDir('nrepl-cli-run-');
    const socket = join(cwd, 'app.sock');
    const app = spawnCli(['run', '--socket', socket, '--repl', '0', APP, 'wait'], { cwd });
    const replPort = await waitForServerPort(app, 'repl');
    await app.waitFor(/nREPL server started on socket|nrepl.*listening/i);
    expect(existsSync(socket)).toBe(true);
    const r = await runCli(['eval', '--socket', socket, '20 + 22']);
    expect(r).toMatchObject({ code: 0, stdout: '42\n' });
    const text = await connectText(replPort);
    text.send('6 * 7\n');
    await text.until(/42/);
    text.end();
  });

  it('rejects bad server options and a missing app with one line and exit 2', async () => {
    expect(await runCli(['run'])).toMatchObject({ code: 2, stderr: 'nrepl-ts run: missing APP (the script to run); see `nrepl-ts run --help`\n' });
    expect(await runCli(['run', '--port', 'abc', APP])).toMatchObject({ code: 2, stderr: 'nrepl-ts run: --port: expected a port number 0-65535, got "abc"; see `nrepl-ts run --help`\n' });
    expect(await runCli(['run', '--inspect', APP])).toMatchObject({ code: 2, stderr: 'nrepl-ts run: unknown option --inspect; node options go after --: nrepl-ts run -- --inspect APP (or --node-arg=--inspect); see `nrepl-ts run --help`\n' });
  });
});
