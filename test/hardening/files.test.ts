// Files (host-safety issue): the agent never destroys a file it did not create.
// - A `:port-file` that names an existing file which is not a port file
//   (`../victim.txt`, a typo such as `package.json`; symlinks: security.test.ts) is
//   refused with one line naming the source and field; the file is left
//   untouched, also at exit, and the server still starts.
// - A server stopped and started again (public API, same name) writes
//   `.nrepl-port` again.
// - Watchdogs (port-file.ts) remove only the file their own server created
//   (same dev:ino), and end when their server stops: a stop/start cycle in
//   one process never deletes another process's live socket at the same path,
//   nor a port file someone else put in place with the same contents.
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPS, spawnWithAgent, tempDir, type Child } from '../helpers/agent';
import { open, sleep, startHost } from './helpers';

/** Time the watchdogs get to act after a process died (they run on their own, outside the test). */
const WATCHDOG_GRACE_MS = 1_500;

/** Escapes `text` for use inside a RegExp. */
const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** A project folder inside a fresh parent folder, so `../victim.txt` stays inside the test's own space. */
function project(): { parent: string; cwd: string } {
  const parent = tempDir('nrepl-files-');
  const cwd = join(parent, 'project');
  mkdirSync(cwd);
  return { parent, cwd };
}

/** Runs fixtures/apps/api-steps.cjs (public API, no preload) in `cwd` and waits for "steps done". */
async function apiSteps(cwd: string, steps: unknown[]): Promise<Child> {
  const child = spawnWithAgent({ via: 'none', app: join(APPS, 'api-steps.cjs'), args: [JSON.stringify(steps)], cwd });
  await child.waitFor(/steps done/, { from: 'stdout' });
  return child;
}

/** Pids of live watchdog processes whose command line names `path`. */
function watchdogsFor(path: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // gone meanwhile
    }
    if (argv.includes('nrepl-ts-port-file-watchdog') && argv.includes(path)) pids.push(Number(entry));
  }
  return pids;
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) return false;
    await sleep(25);
  }
  return true;
}

function connectable(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ path });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

describe('port-file never overwrites a file that is not a port file', () => {
  it.each([
    ['../victim.txt', 'victim.txt in the parent folder', (p: { parent: string; cwd: string }) => join(p.parent, 'victim.txt')],
    ['package.json', 'a typo naming the project package.json', (p: { parent: string; cwd: string }) => join(p.cwd, 'package.json')],
  ])('refuses :port-file %j (%s), leaves it untouched through exit, and the server still starts', async (portFile, _what, victimOf) => {
    const p = project();
    const victim = victimOf(p);
    const precious = '{"name": "precious", "version": "1.0.0"}\n';
    writeFileSync(victim, precious);
    const edn = join(p.cwd, '.nrepl.edn');
    writeFileSync(edn, `{:servers {:dev {:port 0 :accept nrepl-ts/nrepl :port-file ${JSON.stringify(portFile)}}}}`);
    const host = await startHost({ cwd: p.cwd });
    const line = await host.child.waitFor(/nrepl-ts: server dev: .*port-file: .*\n/);
    expect(line[0]).toMatch(new RegExp(`^nrepl-ts: server dev: ${literal(edn)}: port-file: refusing to overwrite ${literal(victim)}: it is not a port file`));
    expect(line[0], 'the refusal says what to do').toMatch(/remove that file or set :port-file to another path \(or false\)/);
    expect(host.child.stderr().split('\n').filter((l) => l.includes('port-file')), 'exactly one line').toHaveLength(1);
    const c = await open(host.port);
    expect((await c.eval('1 + 1')).values, 'the server itself runs').toEqual(['2']);
    await c.end();
    expect(readFileSync(victim, 'utf8')).toBe(precious);
    host.child.proc.kill('SIGTERM');
    await host.child.exited;
    await sleep(WATCHDOG_GRACE_MS);
    expect(existsSync(victim), `${victim} must survive the exit`).toBe(true);
    expect(readFileSync(victim, 'utf8')).toBe(precious);
  });

  it('replaces a stale port file (digits only) and removes it at exit', async () => {
    const p = project();
    const stale = join(p.cwd, 'my.port');
    writeFileSync(stale, '12345\n');
    writeFileSync(join(p.cwd, '.nrepl.edn'), '{:servers {:dev {:port 0 :accept nrepl-ts/nrepl :port-file "my.port"}}}');
    const host = await startHost({ cwd: p.cwd });
    expect(await until(() => readFileSync(stale, 'utf8') === String(host.port), 5_000), 'the stale port file is rewritten').toBe(true);
    host.child.proc.kill('SIGTERM');
    await host.child.exited;
    expect(await until(() => !existsSync(stale), WATCHDOG_GRACE_MS), 'and removed at exit').toBe(true);
  });
});

describe('.nrepl-port after stop and start', () => {
  it('a server stopped and started again under the same name writes .nrepl-port again', async () => {
    const cwd = tempDir('nrepl-files-restart-');
    const spec = { name: 'dev', port: 0, accept: 'nrepl-ts/nrepl' };
    const child = await apiSteps(cwd, [{ op: 'start', spec }, { op: 'stop', name: 'dev' }, { op: 'start', spec }]);
    const ports = [...child.stdout().matchAll(/step start ok \{"port":(\d+)/g)].map((m) => m[1]);
    expect(ports, child.stdout()).toHaveLength(2);
    const path = join(cwd, '.nrepl-port');
    expect(await until(() => existsSync(path), 5_000), `.nrepl-port after the restart; stderr: ${child.stderr()}`).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe(ports[1]);
  });
});

describe('watchdogs remove only their own file', () => {
  it('stop/start cycles leave no watchdog behind, and never delete another process’s live socket at the same path', async () => {
    const dir = tempDir('nrepl-files-sock-');
    const path = join(dir, 'repl.sock');
    const spec = { name: 's', socket: path, accept: 'nrepl-ts/repl' };
    const first = await apiSteps(dir, [
      { op: 'start', spec }, { op: 'stop', name: 's' }, { op: 'start', spec }, { op: 'stop', name: 's' },
    ]);
    expect(first.stdout()).not.toContain('error');
    expect(existsSync(path), 'a stopped server removes its socket').toBe(false);
    expect(await until(() => watchdogsFor(path).length === 0, WATCHDOG_GRACE_MS), `watchdogs still running: ${watchdogsFor(path)}`).toBe(true);

    const second = spawnWithAgent({ env: { NREPL_SERVER_S: JSON.stringify({ socket: path, accept: 'nrepl-ts/repl' }) }, cwd: dir });
    await second.waitFor(new RegExp(`server s \\(nrepl-ts/repl\\) listening on ${literal(path)}`));
    first.proc.kill('SIGKILL');
    await first.exited;
    await sleep(WATCHDOG_GRACE_MS);
    expect(existsSync(path) && lstatSync(path).isSocket(), 'the second process’s socket must survive the first one’s death').toBe(true);
    expect(await connectable(path)).toBe(true);
  });

  it.each(['SIGKILL', 'process.exit'])('a .nrepl-port replaced by another file with the same port survives %s', async (how) => {
    const host = await startHost();
    const path = join(host.cwd, '.nrepl-port');
    expect(await until(() => existsSync(path), 5_000)).toBe(true);
    const contents = readFileSync(path, 'utf8');
    // Another tool writes the same text as a new file (new inode): it is not ours any more.
    writeFileSync(`${path}.other`, contents);
    renameSync(`${path}.other`, path);
    if (how === 'SIGKILL') {
      host.child.proc.kill('SIGKILL');
    } else {
      const c = await open(host.port);
      await c.eval('setTimeout(() => process.exit(0), 20); 0');
    }
    await host.child.exited;
    await sleep(WATCHDOG_GRACE_MS);
    expect(existsSync(path), 'a file the agent did not create must stay').toBe(true);
    expect(readFileSync(path, 'utf8')).toBe(contents);
  });
});
