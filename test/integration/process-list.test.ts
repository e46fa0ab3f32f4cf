/**
 * The per-user process list with real processes: `ps` lists agent
 * processes and drops one killed with SIGKILL; every cluster worker and
 * forked child is reachable with `--pid` through its own socket (no port to
 * collide on), only the top process writes `.nrepl-port`, and
 * `eval --all-of` answers once per process. `connect`-style targets accept
 * the address forms port forwards produce (a unix socket forwarded to TCP,
 * as `ssh -L` does).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { APPS, spawnWithAgent, tempDir } from '../helpers/agent';
import { runCli } from '../cli/helpers';

function privateRuntimeDir(): string {
  const dir = join(tempDir('nrepl-ts-xdg-'), 'run');
  mkdirSync(dir, { mode: 0o700 });
  return dir;
}

interface PsEntry {
  pid: number;
  ppid: number;
  socket?: string;
  agentParent?: number;
  servers: Array<{ name: string; url: string }>;
}

async function psJson(xdg: string): Promise<PsEntry[]> {
  const result = await runCli(['ps', '--json'], { env: { XDG_RUNTIME_DIR: xdg } });
  expect(result.code, result.stderr).toBe(0);
  return result.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as PsEntry);
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('ps', () => {
  it('lists an agent process with its servers, and drops it once it is killed with SIGKILL', async () => {
    const xdg = privateRuntimeDir();
    const child = spawnWithAgent({ env: { XDG_RUNTIME_DIR: xdg } });
    const port = (await child.waitFor(/nREPL server started on port (\d+) .* \(pid (\d+)\)/))[1];
    const pid = child.proc.pid!;
    const entries = await until('the entry', async () => (await psJson(xdg)).find((e) => e.pid === pid) ? psJson(xdg) : undefined);
    const entry = entries.find((e) => e.pid === pid)!;
    expect(entry.servers.map((s) => s.url)).toContain(`nrepl://127.0.0.1:${port}`);
    expect(entry.socket).toBe(join(xdg, 'nrepl-ts', `${pid}.sock`));
    const text = await runCli(['ps'], { env: { XDG_RUNTIME_DIR: xdg } });
    expect(text.stdout).toMatch(new RegExp(`^${pid}\\s+\\d+\\s+\\S+\\s+nrepl://127\\.0\\.0\\.1:${port}\\s+node --import \\S+register\\.js`, 'm'));
    const stat = (await import('node:fs')).statSync(join(xdg, 'nrepl-ts'));
    expect(stat.mode & 0o777).toBe(0o700);

    child.proc.kill('SIGKILL');
    await child.exited;
    expect(await psJson(xdg)).toEqual([]);
    expect(readdirSync(join(xdg, 'nrepl-ts')).filter((n) => n.startsWith(String(pid)))).toEqual([]);
  });

  it('refuses a process folder that others can enter', async () => {
    const xdg = tempDir('nrepl-ts-xdg-');
    mkdirSync(join(xdg, 'nrepl-ts'), { mode: 0o777 });
    (await import('node:fs')).chmodSync(join(xdg, 'nrepl-ts'), 0o777);
    const child = spawnWithAgent({ env: { XDG_RUNTIME_DIR: xdg, NREPL_DEBUG: '1' } });
    await child.waitFor(/not registered in the process list: refusing to use .*it is open to other users \(mode 777\)/);
    expect(readdirSync(join(xdg, 'nrepl-ts'))).toEqual([]);
  });
});

describe('cluster workers and forked children', () => {
  it('every cluster worker is reachable by --pid, only the primary writes .nrepl-port, eval --all-of answers per process', async () => {
    const xdg = privateRuntimeDir();
    const cwd = tempDir();
    const child = spawnWithAgent({ app: join(APPS, 'cluster.cjs'), cwd, env: { XDG_RUNTIME_DIR: xdg } });
    await child.waitFor(/cluster online/, { from: 'stdout' });
    const primary = child.proc.pid!;
    const entries = await until('three entries', async () => {
      const list = await psJson(xdg);
      return list.length === 3 ? list : undefined;
    });
    const workers = entries.filter((e) => e.pid !== primary);
    expect(workers.map((w) => w.agentParent)).toEqual([primary, primary]);
    for (const worker of workers) {
      const result = await runCli(['eval', '--pid', String(worker.pid), 'require("node:cluster").isWorker && process.pid'], { env: { XDG_RUNTIME_DIR: xdg } });
      expect(result.stdout.trim(), result.stderr).toBe(String(worker.pid));
    }
    expect(child.stderr().match(/nREPL server started/g), 'one start-up line: the primary\'s').toHaveLength(1);
    expect(child.stderr()).toContain(`(pid ${primary})`);
    expect(readFileSync(join(cwd, '.nrepl-port'), 'utf8')).toBe(/nREPL server started on port (\d+)/.exec(child.stderr())![1]);

    const all = await runCli(['eval', '--all-of', String(primary), 'process.pid'], { env: { XDG_RUNTIME_DIR: xdg } });
    expect(all.code, all.stderr).toBe(0);
    const expected = [primary, ...workers.map((w) => w.pid)].sort((a, b) => a - b).map((pid) => `[pid ${pid}] ${pid}`);
    expect(all.stdout.trim().split('\n')).toEqual(expected);

    const some = await runCli(['eval', '--pids', `${workers[0]!.pid},4194000`, '1 + 1'], { env: { XDG_RUNTIME_DIR: xdg } });
    expect(some.code).toBe(2);
    expect(some.stdout.trim()).toBe(`[pid ${workers[0]!.pid}] 2`);
    expect(some.stderr).toContain('[pid 4194000] nrepl-ts: pid 4194000 is not a running agent process');
  });

  it('a forked child is listed and reachable by --pid', async () => {
    const xdg = privateRuntimeDir();
    const child = spawnWithAgent({ app: join(APPS, 'forks.cjs'), env: { XDG_RUNTIME_DIR: xdg } });
    const parent = child.proc.pid!;
    const entries = await until('two entries', async () => {
      const list = await psJson(xdg);
      return list.length === 2 ? list : undefined;
    });
    const forked = entries.find((e) => e.pid !== parent)!;
    expect(forked.agentParent).toBe(parent);
    const result = await runCli(['eval', '--pid', String(forked.pid), 'process.ppid'], { env: { XDG_RUNTIME_DIR: xdg } });
    expect(result.stdout.trim(), result.stderr).toBe(String(parent));
  });
});

describe('address forms of port forwards', () => {
  const servers: Server[] = [];
  afterEach(() => {
    for (const s of servers.splice(0)) s.close();
  });

  /** A TCP port forwarded to a unix socket, as `ssh -L 7000:/path/app.sock` gives. */
  async function forward(socket: string, host: string): Promise<number> {
    const server = createServer((client) => {
      const upstream = connect({ path: socket });
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, host, () => r()));
    return (server.address() as { port: number }).port;
  }

  it('reaches a process socket through a forward as host:port, [::1]:port, nrepl://, and directly as nrepl+unix: or a bare path', async () => {
    const xdg = privateRuntimeDir();
    const child = spawnWithAgent({ env: { XDG_RUNTIME_DIR: xdg, NREPL_SERVER_NREPL: 'off' } });
    const pid = child.proc.pid!;
    const socket = join(xdg, 'nrepl-ts', `${pid}.sock`);
    await until('the socket', async () => (existsSync(socket) ? true : undefined));
    const v4 = await forward(socket, '127.0.0.1');
    const v6 = await forward(socket, '::1');
    for (const target of [`127.0.0.1:${v4}`, `localhost:${v4}`, `nrepl://127.0.0.1:${v4}`, `[::1]:${v6}`, `nrepl://[::1]:${v6}`, `nrepl+unix:${socket}`, socket]) {
      const result = await runCli(['describe', '--json', target]);
      expect(result.code, `${target}: ${result.stderr}`).toBe(0);
      expect(result.stdout, target).toContain('nrepl-ts');
    }
  });
});
