// Conformance, start-up line and .nrepl-port (spec §4, §8.10, issue 3 "What a
// user must be able to do"): with no configuration, one server on loopback
// prints the standard line and writes .nrepl-port (the port, no newline),
// which is removed when the process ends — by itself, by process.exit, by
// SIGTERM or SIGINT (still dying of the signal) — unless another process
// has overwritten it.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPS, alive, open, sleep, startHost, type Host } from './harness';

/** Waits until `.nrepl-port` exists in the host's cwd (it may be written just after the start-up line). */
async function portFile(host: Host, ms = 5_000): Promise<string> {
  const path = join(host.cwd, '.nrepl-port');
  const until = Date.now() + ms;
  while (!existsSync(path)) {
    if (Date.now() > until) throw new Error(`expected ${path} to be written within ${ms} ms of the start-up line; stderr: ${host.child.stderr()}`);
    await sleep(25);
  }
  return readFileSync(path, 'utf8');
}

/**
 * Cleanup may finish just after the process is gone (e.g. a watchdog that
 * outlives it), so removal gets a short grace period; clients read the file
 * later, not at the instant of death.
 */
const REMOVAL_GRACE_MS = 2_000;

/** Asserts that `.nrepl-port` disappears within the grace period. */
async function expectRemoved(host: Host, when: string): Promise<void> {
  const path = join(host.cwd, '.nrepl-port');
  const until = Date.now() + REMOVAL_GRACE_MS;
  while (existsSync(path) && Date.now() < until) await sleep(20);
  expect(existsSync(path), `.nrepl-port must be removed within ${REMOVAL_GRACE_MS} ms ${when}`).toBe(false);
}

describe('start-up line', () => {
  it('prints exactly the standard line (naming its pid after the URL) once on stderr, nothing on stdout, and serves on 127.0.0.1', async () => {
    const host = await startHost();
    await host.child.waitFor(/app ready/, { from: 'stdout' });
    const line = `nREPL server started on port ${host.port} on host 127.0.0.1 - nrepl://127.0.0.1:${host.port} (pid ${host.child.proc.pid})\n`;
    expect(host.child.stderr().split(line).length - 1, `stderr must hold the line ${JSON.stringify(line)} once; stderr: ${host.child.stderr()}`).toBe(1);
    expect(host.child.stdout(), 'the agent writes nothing to the host stdout').not.toContain('nREPL');
    const c = await open(host.port);
    expect((await c.eval('1')).values).toEqual(['1']);
  });
});

describe('.nrepl-port', () => {
  it('holds the port, without newline', async () => {
    const host = await startHost();
    expect(await portFile(host), '.nrepl-port contents').toBe(String(host.port));
  });

  it('is removed when the app ends by itself (and the agent does not keep it alive)', async () => {
    const host = await startHost({ app: join(APPS, 'nrepl-exit.cjs') });
    await portFile(host);
    writeFileSync(join(host.cwd, 'stop'), 'natural');
    const exit = await host.child.exited;
    expect(exit, 'the app ends normally once its own work is done').toEqual({ code: 0, signal: null });
    await expectRemoved(host, 'after a normal exit');
  });

  it('is removed on process.exit(3), keeping the exit code', async () => {
    const host = await startHost({ app: join(APPS, 'nrepl-exit.cjs') });
    await portFile(host);
    writeFileSync(join(host.cwd, 'stop'), 'exit 3');
    expect(await host.child.exited).toEqual({ code: 3, signal: null });
    await expectRemoved(host, 'after process.exit(3)');
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('is removed on %s, and an app without handlers still dies of the signal', async (signal) => {
    const host = await startHost();
    await portFile(host);
    host.child.proc.kill(signal);
    const exit = await host.child.exited;
    expect(exit, `exit of an app without ${signal} handler`).toEqual({ code: null, signal });
    // A process dying of a signal runs no JS: a watchdog removes the file just after the death.
    const until = Date.now() + 3_000;
    while (existsSync(join(host.cwd, '.nrepl-port')) && Date.now() < until) await sleep(20);
    await expectRemoved(host, `after ${signal}`);
  });

  it('is left alone when another process has overwritten it with another port', async () => {
    const host = await startHost();
    await portFile(host);
    const other = String(host.port === 7888 ? 7889 : 7888);
    writeFileSync(join(host.cwd, '.nrepl-port'), other);
    host.child.proc.kill('SIGTERM');
    await host.child.exited;
    await sleep(REMOVAL_GRACE_MS); // as long as a removal may take
    expect(existsSync(join(host.cwd, '.nrepl-port')), 'a .nrepl-port now holding another server’s port must survive').toBe(true);
    expect(readFileSync(join(host.cwd, '.nrepl-port'), 'utf8')).toBe(other);
  });

  it('an eval does not disturb it', async () => {
    const host = await startHost();
    const before = await portFile(host);
    const c = await open(host.port);
    await c.eval("'touch nothing'");
    expect(await portFile(host)).toBe(before);
    expect(alive(host)).toBe(true);
  });
});

describe('.nrepl-port after SIGKILL', () => {
  it('is removed even when the process cannot run any code (kill -9)', async () => {
    const host = await startHost();
    await portFile(host);
    host.child.proc.kill('SIGKILL');
    await host.child.exited;
    const until = Date.now() + 3_000;
    while (existsSync(join(host.cwd, '.nrepl-port')) && Date.now() < until) await sleep(20);
    expect(existsSync(join(host.cwd, '.nrepl-port'))).toBe(false);
  });
});
