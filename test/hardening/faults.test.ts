// Faults (issue 5): the host never suffers from evaluated code, and its own
// failures stay exactly its own.
// - An error thrown from a timer, or a promise rejection left unhandled, by
//   code an eval started is reported to that eval (as `err` on its id and
//   session) and the host lives on.
// - The host's OWN uncaught exception and unhandled rejection end it exactly
//   as without the agent: same exit code, same stderr (apart from the agent's
//   start-up line) — also after evals ran, and while one is in flight.
// - A process that exits with clients connected exits promptly: clients see
//   their sockets close, and `.nrepl-port` and the unix socket file are gone.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connect, type NreplClient } from '../../src/client/client';
import { APPS, spawnWithAgent, tempDir, type Child } from '../helpers/agent';
import { alive, hasStatus, httpGet, open, sleep, startHost, waitForNrepl, type Response } from './helpers';

const FAULT = join(APPS, 'fault-host.cjs');

describe('errors of evaluated code', () => {
  it('a throw from a timer and an unhandled rejection are reported to the eval that started them; the host lives on', async () => {
    const host = await startHost({ app: join(APPS, 'soak-http.cjs'), http: true });
    const late: Response[] = [];
    const c = await open(host.port, (r) => late.push(r));
    const session = await c.clone();
    const r = await c.request({
      op: 'eval',
      id: 'arm',
      session,
      code: "setTimeout(() => { throw new Error('late boom') }, 100); Promise.reject(new Error('floating rejection')); 'armed'",
    });
    expect(r.find((m) => m.value)?.value).toBe("'armed'");
    const errText = async (pattern: RegExp) => {
      const until = Date.now() + 5_000;
      while (Date.now() < until) {
        const text = [...r, ...late].filter((m) => m.id === 'arm').map((m) => String(m.err ?? '')).join('');
        if (pattern.test(text)) return text;
        await sleep(25);
      }
      throw new Error(`expected err matching ${pattern} on id "arm"; got ${JSON.stringify([...r, ...late])}`);
    };
    expect(await errText(/Uncaught \(in promise\).*floating rejection/s)).toBeTruthy();
    expect(await errText(/Uncaught.*late boom/s)).toBeTruthy();
    for (const m of late.filter((x) => x.id === 'arm')) expect(m.session, 'late errors carry the session').toBe(session);
    expect(late.filter((m) => m.id === 'arm' && hasStatus(m, 'done')), 'no second done for the late errors').toEqual([]);
    expect(host.child.stderr(), 'nothing reaches the host stderr').not.toMatch(/late boom|floating rejection/);
    expect(alive(host)).toBe(true);
    expect((await httpGet(host.httpPort!)).status).toBe(200);
    expect((await c.eval('1 + 1', { session })).values).toEqual(['2']);
  });

  it('an error from eval-started code whose client has gone away still does not end the host', async () => {
    const host = await startHost({ app: join(APPS, 'soak-http.cjs'), http: true });
    const c = await open(host.port);
    await c.eval("setTimeout(() => { throw new Error('orphan boom') }, 300); setTimeout(() => Promise.reject(new Error('orphan rejection')), 300); 'armed'");
    await c.end();
    await sleep(800);
    expect(alive(host), `stderr: ${host.child.stderr()}`).toBe(true);
    expect((await httpGet(host.httpPort!)).status).toBe(200);
  });
});

describe('requests that must not reach Node’s own assertions', () => {
  // Found by bench/soak.mjs: a `column` near 2^31 became a vm columnOffset whose SyntaxError
  // source range crosses 2^31, and Node 20 and 22 abort the whole host decorating it
  // (node_errors.cc GetErrorSource). Lines and columns past 10^7 are now ignored.
  it('an eval with column 2^31 and a syntax error is an eval error, not the end of the host', async () => {
    const host = await startHost({ app: join(APPS, 'soak-http.cjs'), http: true });
    const c = await open(host.port);
    const r = await c.request({ op: 'eval', id: 'col', code: ')', column: 2 ** 31 }, { timeoutMs: 5_000 }).catch((e: Error) => e);
    await sleep(200);
    expect(alive(host), `the host must survive; exit ${JSON.stringify(host.child.proc.signalCode)}`).toBe(true);
    expect(Array.isArray(r) && r.some((m) => hasStatus(m, 'eval-error'))).toBe(true);
  });
});

/** Runs the fault fixture in `mode`, with or without the preload; `before` runs once it is ready, then `go` is written. */
async function runFault(mode: string, withAgent: boolean, before?: (child: Child, port: number | undefined) => Promise<void>) {
  const cwd = tempDir('nrepl-fault-');
  const child = spawnWithAgent({ app: FAULT, args: [mode], cwd, via: withAgent ? 'import' : 'none' });
  await child.waitFor(/app ready/, { from: 'stdout' });
  const port = withAgent ? await waitForNrepl(child) : undefined;
  if (before) await before(child, port);
  writeFileSync(join(cwd, 'go'), '');
  const exit = await child.exited;
  return { exit, stderr: child.stderr(), stdout: child.stdout(), cwd };
}

/** The host's stderr without the agent's own lines (its start-up line). */
function hostLines(stderr: string): string {
  return stderr
    .split('\n')
    .filter((l) => !/^nREPL server started on /.test(l) && !/^nrepl-ts: /.test(l))
    .join('\n');
}

describe('the host’s own errors', () => {
  it.each(['throw', 'reject'])('its own %s ends it exactly as without the agent (exit code and stderr)', async (mode) => {
    const plain = await runFault(mode, false);
    expect(plain.exit.code, 'sanity: without the agent the fixture dies with exit code 1').toBe(1);
    const agent = await runFault(mode, true);
    expect(agent.exit).toEqual(plain.exit);
    expect(hostLines(agent.stderr)).toBe(plain.stderr);
    expect(plain.stderr).toMatch(mode === 'throw' ? /Error: host boom/ : /Error: host rejection/);
  });

  /** Runs the fixture without and with the agent, the latter after evals ran and with one in flight; compares how it dies. */
  async function afterEvals(mode: string): Promise<void> {
    const plain = await runFault(mode, false);
    let pending: Promise<unknown> | undefined;
    let client: NreplClient | undefined;
    const agent = await runFault(mode, true, async (_child, port) => {
      client = await connect({ port: port! }, { timeoutMs: 0 });
      // Install the error guard and output capture, leave errors of evaluated code behind, and keep one eval running.
      await client.eval("setTimeout(() => { throw new Error('eval boom') }, 10); 'x'");
      await client.eval("Promise.reject(new Error('eval rejection')); 'y'");
      await sleep(100);
      pending = client.eval('await new Promise((r) => setTimeout(r, 60_000))').catch(() => 'connection closed');
      await sleep(100);
    });
    expect(agent.exit).toEqual(plain.exit);
    expect(hostLines(agent.stderr)).toBe(plain.stderr);
    expect(await pending).toBe('connection closed');
    await client?.end();
  }

  it('after evals ran, and with one still in flight, its own uncaught exception still ends it exactly the same', () => afterEvals('throw'));

  // The error guard never reads the stack of a rejection (that changed how Node reported the
  // host's own one); rejections of evaluated code are all found through the async context.
  it('after evals ran, and with one still in flight, its own unhandled rejection still ends it exactly the same', () => afterEvals('reject'));
});

describe('exit with clients connected', () => {
  /** The fixture with a TCP nREPL server (writing .nrepl-port) and a unix socket one, a client on each, one of them mid-eval. */
  async function exitWithClients(mode: 'exit' | 'natural' | 'throw') {
    const cwd = tempDir('nrepl-exit-');
    const socket = join(cwd, 'nrepl.sock');
    const child = spawnWithAgent({
      app: FAULT,
      args: [mode],
      cwd,
      env: {
        NREPL_SERVER_NREPL: '{:port 0 :accept nrepl-ts/nrepl}',
        NREPL_SERVER_SOCK: JSON.stringify({ socket, accept: 'nrepl-ts/nrepl' }),
      },
    });
    const port = await waitForNrepl(child);
    await child.waitFor(/nREPL server started on socket/);
    const portFile = join(cwd, '.nrepl-port');
    for (let i = 0; i < 100 && !existsSync(portFile); i++) await sleep(20);
    expect(existsSync(portFile)).toBe(true);
    expect(existsSync(socket)).toBe(true);
    const tcp = await connect({ port }, { timeoutMs: 0 });
    const unix = await connect({ socket }, { timeoutMs: 0 });
    const session = await tcp.clone();
    expect((await unix.eval('1 + 1')).values).toEqual(['2']);
    // For process.exit and crashes, an eval is in flight; a natural end has nothing left to do.
    const inFlight = mode === 'natural' ? undefined : tcp.eval('await new Promise((r) => setTimeout(r, 60_000))', { session }).catch((e: Error) => e.message);
    await sleep(100);
    const closed = (c: NreplClient) => (c as unknown as { closed: Promise<void> }).closed;
    writeFileSync(join(cwd, 'go'), '');
    // A hang, not a speed: the process has nothing left that should keep it alive.
    const exit = await Promise.race([child.exited, sleep(5_000).then(() => 'hung' as const)]);
    expect(exit, `the process must exit promptly; stderr: ${child.stderr()}`).not.toBe('hung');
    const bothClosed = await Promise.race([Promise.all([closed(tcp), closed(unix)]).then(() => true), sleep(2_000).then(() => false)]);
    expect(bothClosed, 'both clients see their connection closed').toBe(true);
    if (inFlight) expect(await inFlight).toMatch(/closed/);
    expect(existsSync(portFile), '.nrepl-port removed').toBe(false);
    expect(existsSync(socket), 'unix socket file removed').toBe(false);
    return { exit };
  }

  it('process.exit(3) mid-eval: exits at once with code 3, closes the sockets and removes .nrepl-port and the socket file', async () => {
    const { exit } = await exitWithClients('exit');
    expect(exit).toEqual({ code: 3, signal: null });
  });

  it('a natural end with clients connected: the agent does not hold the process, and its files are gone', async () => {
    const { exit } = await exitWithClients('natural');
    expect(exit).toEqual({ code: 0, signal: null });
  });

  it('the host’s own crash mid-eval: exit code 1, sockets closed, files removed', async () => {
    const { exit } = await exitWithClients('throw');
    expect(exit).toEqual({ code: 1, signal: null });
  });
});
