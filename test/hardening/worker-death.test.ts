// The agent worker dying (here: for real, out of its resourceLimits heap) must leave
// the host exactly as it was: it keeps serving, its globals and streams are untouched,
// it ends when and how it would have, and one stderr line says what happened and
// what to do. The agent's files go, its port is closed, and the API says so at once.
//
// How the worker is made to die: clients queue evals behind one that never ends.
// Queued requests live in the worker's heap, a little each, so the heap grows step by
// step until V8 ends the worker — the way resourceLimits can contain (one huge
// allocation would abort the whole process instead: see agent/worker-limits.ts).
import { existsSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPS } from '../helpers/agent';
import { alive, frame, hasStatus, httpGet, open, openRaw, sleep, startHost } from './helpers';

const APP = join(APPS, 'state-http.cjs');

/** Resolves true if 127.0.0.1:port accepts a connection, false if refused. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = netConnect({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

/** What a prepl at `port` answers to `forms`, up to and including the line holding `until`. */
function preplText(port: number, forms: string, until: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = netConnect({ host: '127.0.0.1', port });
    let text = '';
    const timer = setTimeout(() => (s.destroy(), reject(new Error(`no ${until} from the prepl: ${text.slice(0, 300)}`))), 60_000);
    s.setEncoding('utf8');
    s.on('data', (chunk: string) => {
      text += chunk;
      const at = text.indexOf(until);
      if (at >= 0 && text.indexOf('\n', at) >= 0) {
        clearTimeout(timer);
        s.destroy();
        resolve(text);
      }
    });
    s.on('error', reject);
    s.write(forms);
  });
}

describe('the agent worker dies', () => {
  it('out of heap: the host keeps serving, untouched, says so in one line, and exits as it would have', async () => {
    const host = await startHost({ app: APP, http: true, env: { NREPL_WORKER_HEAP_MB: '32' } });
    const c = await open(host.port);
    expect((await c.eval('1 + 1')).values).toEqual(['2']);
    await c.end();
    const before = (await httpGet(host.httpPort!, '/state')).body;
    expect(existsSync(join(host.cwd, '.nrepl-port'))).toBe(true);

    const first = await openRaw(host.port);
    first.write(frame({ op: 'clone', id: 'clone' }));
    const session = String((await first.waitFor((m) => m.id === 'clone' && m['new-session'] !== undefined, 'clone'))['new-session']);
    first.write(frame({ op: 'eval', id: 'stuck', session, code: 'await new Promise(() => {})' }));
    // Each connection may hold a bounded amount of queued work (256 requests, 8 MB), so
    // several connections queue theirs: 16 x 8 MB is far past the worker's 32 MB.
    const code = `/* ${'q'.repeat(30_000)} */ 1`;
    const batch = Buffer.concat(Array.from({ length: 256 }, (_, i) => frame({ op: 'eval', id: `q${i}`, session, code })));
    let died = false;
    void host.child.waitFor(/the agent worker stopped/, { timeoutMs: 60_000 }).then(() => (died = true), () => {});
    for (let i = 0; i < 16 && !died; i++) {
      const conn = i === 0 ? first : await openRaw(host.port).catch(() => undefined);
      if (!conn) break; // the port closed: the worker is gone
      conn.socket.write(batch);
      await sleep(50);
    }
    const line = (await host.child.waitFor(/^.*the agent worker stopped.*$/m))[0];
    expect(line).toMatch(new RegExp(`^nrepl-ts: the agent worker stopped \\(out of memory: .*32 MB.*NREPL_WORKER_HEAP_MB.*\\); servers of pid ${host.child.proc.pid} are gone \\(nrepl://127\\.0\\.0\\.1:${host.port}(, nrepl\\+unix:\\S+\\.sock)?\\); the app is unaffected; restart the app to get them back$`));

    expect(alive(host)).toBe(true);
    expect((await httpGet(host.httpPort!)).status).toBe(200);
    expect((await httpGet(host.httpPort!, '/state')).body, 'globals, streams and listeners as before').toBe(before);
    expect(existsSync(join(host.cwd, '.nrepl-port')), '.nrepl-port removed').toBe(false);
    expect(await accepts(host.port), 'the nREPL port is closed').toBe(false);
    expect((await httpGet(host.httpPort!, '/start')).body).toMatch(/^failed NREPL_AGENT_STOPPED the agent worker stopped \(out of memory/);

    await httpGet(host.httpPort!, '/quit');
    expect(await host.child.exited).toEqual({ code: 5, signal: null });
    expect(host.child.stdout()).toMatch(/app exiting\n$/);
    const agentLines = host.child.stderr().split('\n').filter((l) => l !== '');
    expect(agentLines, 'stderr: the start-up line and the one report').toEqual([expect.stringMatching(/^nREPL server started/), line]);
  }, 120_000);
});

describe('single allocations larger than the worker can absorb', () => {
  // V8 gives a worker at its resourceLimits 16 MB to finish; one string beyond that
  // aborts the whole process. So the main thread never hands the worker one: an nREPL
  // value comes in pieces the worker pulls (main/eval/value-streams.ts), so it arrives
  // whole; protocols that take values whole (prepl) get them cut to 1/16 of the
  // worker's heap, with a note; writes travel in pieces.
  it('a 48 MB value and a 100 MB write reach a 32 MB worker whole, cut or shed; host and worker live on', async () => {
    const host = await startHost({ app: APP, http: true, env: { NREPL_WORKER_HEAP_MB: '32', NREPL_SERVER_NREPL: '{:port 0 :accept nrepl-ts/nrepl}', NREPL_SERVER_PREPL: '{:port 0 :accept nrepl-ts/prepl}' } });
    const preplPort = Number((await host.child.waitFor(/server prepl \(nrepl-ts\/prepl\) listening on 127\.0\.0\.1:(\d+)/))[1]);
    const c = await open(host.port, undefined, { maxMessageBytes: 256 * 2 ** 20 });
    const big = await c.request({ op: 'eval', code: "'x'.repeat(48 * 2 ** 20)" }, { timeoutMs: 60_000 });
    const value = big.find((m) => typeof m.value === 'string')?.value as string;
    expect(value.length, 'streamed whole: quotes and 48 Mi x').toBe(48 * 2 ** 20 + 2);
    expect(value.slice(0, 3) + value.slice(-3)).toBe("'xxxx'");
    expect(big.some((m) => hasStatus(m, 'nrepl.middleware.print/truncated'))).toBe(false);
    const prepl = await preplText(preplPort, "'x'.repeat(48 * 2 ** 20)\n", ':tag :ret');
    expect(prepl).toContain('nrepl-ts: the value was cut to 2097152 of 50331650 characters');
    const loud = await c.request({ op: 'eval', code: "process.stdout.write('y'.repeat(100 * 2 ** 20)); 'written'" }, { timeoutMs: 60_000 });
    expect(loud.find((m) => m.value !== undefined)?.value).toBe("'written'");
    expect(loud.map((m) => m.out ?? '').join('')).toMatch(/^y+$/);
    expect((await c.eval('1 + 1')).values, 'the worker still answers').toEqual(['2']);
    expect(alive(host)).toBe(true);
    expect((await httpGet(host.httpPort!)).status).toBe(200);
    expect(host.child.stderr()).not.toMatch(/agent worker stopped|FATAL ERROR/);
  }, 120_000);
});
