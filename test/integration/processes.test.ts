// Which processes get servers: cluster workers, npm under NODE_OPTIONS, worker threads, forked children.
import { describe, expect, it } from 'vitest';
import * as net from 'node:net';
import { writeFileSync, copyFileSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { APPS, REGISTER, spawnWithAgent, tempDir, waitForNreplPort } from '../helpers/agent';
import { connectText } from '../helpers/text-client';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

describe('processes', () => {
  it('under cluster a fixed port is held by exactly one process; the others say so and keep running', async () => {
    const port = await freePort();
    const child = spawnWithAgent({ app: join(APPS, 'cluster.cjs'), env: { NREPL_SERVER_REPL: `{:port ${port} :accept nrepl-ts/repl}` } });
    await child.waitFor(/cluster online/, { from: 'stdout' });
    await child.waitFor(/listening on/);
    await child.waitFor(/address already in use[\s\S]*address already in use/);
    expect(child.stderr().match(/listening on/g)).toHaveLength(1);
    // No round-robin: every connection reaches the same process.
    const pids = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const c = await connectText(port);
      await c.until(/> $/);
      c.send("require('node:cluster').isPrimary + ' ' + process.pid\n");
      pids.add((await c.until(/> $/)).split('\n')[0]);
      c.end();
    }
    expect(pids.size).toBe(1);
    expect(child.stdout()).not.toMatch(/worker exited/);
  });

  it('under cluster only the primary starts the default nREPL server', async () => {
    const child = spawnWithAgent({ app: join(APPS, 'cluster.cjs') });
    await child.waitFor(/cluster online/, { from: 'stdout' });
    await waitForNreplPort(child);
    await new Promise((r) => setTimeout(r, 500));
    expect(child.stderr().match(/nREPL server started/g)).toHaveLength(1);
  });

  it('NODE_OPTIONS + npm start gives the server to the app, not to npm', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'lib'));
    copyFileSync(join(APPS, 'long-running.cjs'), join(dir, 'app.cjs'));
    copyFileSync(join(APPS, 'lib/state.js'), join(dir, 'lib/state.js'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'host', private: true, scripts: { start: 'node app.cjs' } }));
    const child = spawnWithAgent({
      command: 'npm',
      app: 'start',
      via: 'none',
      cwd: dir,
      env: { NODE_OPTIONS: `--require ${REGISTER}`, NREPL_DEBUG: '1' },
    });
    const port = await waitForNreplPort(child);
    await child.waitFor(/app ready/, { from: 'stdout' });
    await child.waitFor(/not starting: entry script .*npm-cli\.js matches NREPL_SKIP_PATTERN/);
    expect(child.stderr().match(/nREPL server started/g)).toHaveLength(1);
    expect(port).toBeGreaterThan(0);
  });

  /** A project with a fake `ts-node/register` preload and a tool whose entry script is inside node_modules. */
  function projectWithOtherRegister(): { dir: string; tool: string } {
    const dir = tempDir();
    mkdirSync(join(dir, 'node_modules/ts-node'), { recursive: true });
    writeFileSync(join(dir, 'node_modules/ts-node/package.json'), JSON.stringify({ name: 'ts-node', version: '0.0.0', main: 'index.js' }));
    writeFileSync(join(dir, 'node_modules/ts-node/register.js'), 'globalThis.fakeTsNode = true;\n');
    mkdirSync(join(dir, 'node_modules/tool'));
    const tool = join(dir, 'node_modules/tool/cli.js');
    writeFileSync(tool, "setInterval(() => {}, 1000);\nprocess.stdout.write('tool ready ' + globalThis.fakeTsNode + '\\n');\n");
    return { dir, tool };
  }

  it('another preload named register.js (-r ts-node/register) does not count as the agent on the command line', async () => {
    const { dir, tool } = projectWithOtherRegister();
    const child = spawnWithAgent({
      via: 'none',
      cwd: dir,
      nodeArgs: ['-r', 'ts-node/register'],
      app: tool,
      env: { NODE_OPTIONS: `--require ${REGISTER}`, NREPL_DEBUG: '1' },
    });
    await child.waitFor(/tool ready true/, { from: 'stdout' });
    const [decision] = await child.waitFor(/pid \d+: agent (not )?starting: .*/);
    expect(decision).toMatch(/agent not starting: entry script .*cli\.js matches NREPL_SKIP_PATTERN \S+ \(preload via NODE_OPTIONS\)/);
  });

  it('our register.js given on the command line by a relative path counts, whatever the entry script', async () => {
    const { dir, tool } = projectWithOtherRegister();
    const child = spawnWithAgent({ via: 'none', cwd: dir, nodeArgs: ['--require', `./${relative(dir, REGISTER)}`], app: tool, env: { NREPL_DEBUG: '1' } });
    await child.waitFor(/agent starting: preload given on the command line\n/);
    await waitForNreplPort(child);
  });

  it('NREPL_SKIP_PATTERN overrides the rule', async () => {
    const child = spawnWithAgent({
      via: 'node-options-import',
      env: { NREPL_SKIP_PATTERN: 'long-running\\.cjs$', NREPL_DEBUG: '1' },
    });
    await child.waitFor(/app ready/, { from: 'stdout' });
    await child.waitFor(/not starting: entry script .*long-running\.cjs matches NREPL_SKIP_PATTERN/);
  });

  it('worker threads (file and eval) never start servers', async () => {
    const child = spawnWithAgent({ via: 'require', app: join(APPS, 'threads.cjs') });
    await waitForNreplPort(child);
    await child.waitFor(/app ready with threads/, { from: 'stdout' });
    await new Promise((r) => setTimeout(r, 300));
    expect(child.stderr().match(/nREPL server started/g)).toHaveLength(1);
  });

  it('a forked child inherits the preload but not the default server (the parent keeps .nrepl-port)', async () => {
    const child = spawnWithAgent({ app: join(APPS, 'forks.cjs') });
    await waitForNreplPort(child);
    await child.waitFor(/app ready/, { from: 'stdout' });
    await new Promise((r) => setTimeout(r, 500));
    expect(child.stderr().match(/nREPL server started/g)).toHaveLength(1);
    // SIGTERM (not the cleanup's SIGKILL) lets the app stop its forked child too.
    child.proc.kill('SIGTERM');
    expect((await child.exited).code).toBe(0);
  });
});
