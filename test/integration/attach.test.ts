/**
 * `nrepl-ts attach PID` against real processes started WITHOUT the preload:
 * CJS, ESM and tsx apps (state visible afterwards, inspector closed again,
 * the app's HTTP endpoint answering throughout), and every refusal, each
 * leaving the target untouched.
 *
 * Every target gets its own `--inspect-port` (a free port), so tests never
 * meet each other (or anyone else) on the default 9229.
 */
import { spawn } from 'node:child_process';
import { get } from 'node:http';
import { createServer, type Server } from 'node:net';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { APPS, ROOT, spawnWithAgent, tempDir, type Child } from '../helpers/agent';
import { killTree, OWN_GROUP } from '../helpers/processes';
import { freePort, runCli } from '../cli/helpers';

const TSX_LOADER = join(ROOT, 'node_modules/tsx/dist/loader.mjs');

function privateRuntimeDir(): string {
  const dir = join(tempDir('nrepl-ts-xdg-'), 'run');
  mkdirSync(dir, { mode: 0o700 });
  return dir;
}

function httpOk(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    // Attaching holds the app's main thread about 0.3-0.4 s on an idle machine (inspector start and
    // the gate); under the whole suite's load on 2 cores that can pass 2 s. A hang is far longer.
    const req = get({ host: '127.0.0.1', port, path: '/', timeout: 5_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createServer().listen(port, '127.0.0.1');
    socket.once('listening', () => socket.close(() => resolve(false)));
    socket.once('error', () => resolve(true));
  });
}

interface Target {
  child: Child;
  pid: number;
  http?: number;
  inspectPort: number;
  xdg: string;
}

async function startTarget(app: string, opts: { nodeArgs?: string[]; inspect?: string } = {}): Promise<Target> {
  const inspectPort = await freePort();
  const xdg = privateRuntimeDir();
  const child = spawnWithAgent({
    via: 'none',
    app,
    nodeArgs: [opts.inspect ?? `--inspect-port=${inspectPort}`, ...(opts.nodeArgs ?? [])],
    env: { XDG_RUNTIME_DIR: xdg },
  });
  const ready = await child.waitFor(/app ready (\d+)(?: http (\d+))?/, { from: 'stdout' });
  return { child, pid: child.proc.pid!, http: ready[2] ? Number(ready[2]) : undefined, inspectPort, xdg };
}

/** Polls the app's HTTP endpoint until stopped; resolves with [answered, failed]. */
function pollHttp(port: number): { stop: () => Promise<[number, number]> } {
  let running = true;
  let ok = 0;
  let failed = 0;
  const loop = (async () => {
    while (running) {
      if (await httpOk(port)) ok += 1;
      else failed += 1;
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  return { stop: async () => ((running = false), await loop, [ok, failed]) };
}

describe('attach to an app started without the preload', () => {
  for (const [kind, app, nodeArgs] of [
    ['cjs', join(APPS, 'attach-http.cjs'), []],
    ['esm', join(APPS, 'attach-http.mjs'), []],
    ['tsx', join(APPS, 'attach-http.ts'), ['--import', TSX_LOADER]],
  ] as const) {
    it(`starts a server inside a ${kind} app, closes the inspector again, and the app answers throughout`, async () => {
      const target = await startTarget(app, { nodeArgs: [...nodeArgs] });
      const poll = pollHttp(target.http!);
      const attached = await runCli(['attach', String(target.pid)], { env: { XDG_RUNTIME_DIR: target.xdg } });
      const [ok, failed] = await poll.stop();
      expect(attached.code, attached.stderr).toBe(0);
      expect(attached.stdout).toMatch(/^nrepl:\/\/127\.0\.0\.1:\d+\n$/);
      expect(attached.stderr).toMatch(/the inspector was open for \d+ ms and is closed again/);
      expect(failed, 'the app must answer HTTP throughout').toBe(0);
      expect(ok).toBeGreaterThan(0);
      expect(await portAnswers(target.inspectPort), 'the inspector port is closed again').toBe(false);
      expect(target.child.stderr()).toContain('Debugger listening on ws://127.0.0.1:');
      const viaUrl = await runCli(['eval', '--port', attached.stdout.trim().split(':').pop()!, 'appState.kind'], { env: { XDG_RUNTIME_DIR: target.xdg } });
      expect(viaUrl.stdout.trim(), viaUrl.stderr).toBe(`'${kind}'`);
      const viaPid = await runCli(['eval', '--pid', String(target.pid), 'appState.hits > 0'], { env: { XDG_RUNTIME_DIR: target.xdg } });
      expect(viaPid.stdout.trim(), viaPid.stderr).toBe('true');
      expect(target.child.proc.exitCode).toBe(null);
    });
  }

  it('attaches on a unix socket with --socket', async () => {
    const target = await startTarget(join(APPS, 'attach-http.cjs'));
    const socket = join(tempDir(), 'app.sock');
    const attached = await runCli(['attach', '--socket', socket, String(target.pid)], { env: { XDG_RUNTIME_DIR: target.xdg } });
    expect(attached.code, attached.stderr).toBe(0);
    expect(attached.stdout.trim()).toBe(`nrepl+unix:${socket}`);
    const result = await runCli(['eval', '--socket', socket, 'appState.kind'], {});
    expect(result.stdout.trim()).toBe("'cjs'");
  });
});

describe('attach refuses clearly and leaves the target untouched', () => {
  const others: Array<import('node:child_process').ChildProcess> = [];
  const servers: Server[] = [];
  afterEach(() => {
    for (const p of others.splice(0)) killTree(p);
    for (const s of servers.splice(0)) s.close();
  });

  it('no such process', async () => {
    const result = await runCli(['attach', '4194000']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('nrepl-ts attach: no process with pid 4194000');
  });

  it('not a Node process (it would die of SIGUSR1)', async () => {
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore', ...OWN_GROUP });
    others.push(sleeper);
    const result = await runCli(['attach', String(sleeper.pid)]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/is not a Node process \(it runs \S*sleep\); nothing was sent to it/);
    await new Promise((r) => setTimeout(r, 200));
    expect(sleeper.exitCode).toBe(null);
    expect(sleeper.signalCode).toBe(null);
  });

  it("another user's process", async () => {
    expect(process.getuid?.(), 'this test needs to start a process as another user (it runs as root in CI)').toBe(0);
    const foreign = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { uid: 65534, gid: 65534, cwd: '/', stdio: 'ignore', ...OWN_GROUP });
    others.push(foreign);
    await new Promise((r) => setTimeout(r, 300));
    const result = await runCli(['attach', String(foreign.pid)]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/belongs to another user \(uid 65534\); attach only to your own processes/);
    expect(foreign.exitCode).toBe(null);
  });

  it('an inspector already open is used and left open', async () => {
    const port = await freePort();
    const target = await startTarget(join(APPS, 'attach-http.cjs'), { inspect: `--inspect=127.0.0.1:${port}` });
    const attached = await runCli(['attach', String(target.pid)], { env: { XDG_RUNTIME_DIR: target.xdg } });
    expect(attached.code, attached.stderr).toBe(0);
    expect(attached.stderr).toContain(`already has an inspector open on 127.0.0.1:${port}: using it and leaving it open`);
    expect(await portAnswers(port), 'the user\'s inspector stays open').toBe(true);
  });

  it('the inspector port taken by another process', async () => {
    const target = await startTarget(join(APPS, 'attach-http.cjs'));
    const squatter = createServer().listen(target.inspectPort, '127.0.0.1');
    servers.push(squatter);
    await new Promise((r) => squatter.once('listening', r));
    const result = await runCli(['attach', String(target.pid)], { env: { XDG_RUNTIME_DIR: target.xdg } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`the inspector port 127.0.0.1:${target.inspectPort} of pid ${target.pid} is taken by another process`);
    await new Promise((r) => setTimeout(r, 200));
    expect(target.child.stderr(), 'no signal reached the target').toBe('');
  });

  it('a target that already runs the agent: its servers are reported, nothing is sent', async () => {
    const xdg = privateRuntimeDir();
    const child = spawnWithAgent({ app: join(APPS, 'attach-http.cjs'), env: { XDG_RUNTIME_DIR: xdg } });
    const line = await child.waitFor(/nREPL server started on port (\d+)/);
    await child.waitFor(/app ready/, { from: 'stdout' });
    // The entry is written just after the configured servers started.
    let result = await runCli(['attach', String(child.proc.pid)], { env: { XDG_RUNTIME_DIR: xdg } });
    for (let i = 0; i < 20 && !result.stderr.includes('already runs the agent'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      result = await runCli(['attach', String(child.proc.pid)], { env: { XDG_RUNTIME_DIR: xdg } });
    }
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`pid ${child.proc.pid} already runs the agent; its servers: nrepl://127.0.0.1:${line[1]}`);
    expect(child.stderr()).not.toContain('Debugger listening');
  });

  it('a busy main thread: waits with a message, then gives up with a timeout', async () => {
    const target = await startTarget(join(APPS, 'attach-busy.cjs'));
    await new Promise((r) => setTimeout(r, 200));
    const result = await runCli(['attach', '--timeout', '2000', String(target.pid)], { env: { XDG_RUNTIME_DIR: target.xdg } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("waiting for the target's main thread (busy?)");
    expect(result.stderr).toMatch(/did not run the start within 2000 ms \(busy in a loop\?\)/);
    expect(target.child.proc.exitCode).toBe(null);
  });
});
