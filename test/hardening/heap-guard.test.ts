// The heap guard: an eval whose synchronous part fills the host's heap is stopped
// before V8's heap limit ends the whole host, and its client is told why. The host
// runs with a 1 GB heap (less than its default, so the test allocates less; enough
// headroom that polls answered late on a loaded machine rarely decide the outcome).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPS } from '../helpers/agent';
import { alive, hasStatus, httpGet, open, startHost } from './helpers';

const APP = join(APPS, 'state-http.cjs');

describe('an eval filling the host heap', () => {
  it('is stopped with a message naming the cause; the host keeps serving and exits as it would have', async () => {
    const host = await startHost({ app: APP, http: true, nodeArgs: ['--max-old-space-size=1024'] });
    const c = await open(host.port);
    const session = await c.clone();
    const bomb = await c
      .request({ op: 'eval', session, code: 'const a = []; while (true) a.push(new Array(1e6).fill(1))' }, { timeoutMs: 60_000 })
      .catch((e: Error) => {
        throw new Error(`${e.message}; host stderr: ${host.child.stderr().slice(-1500)}`);
      });
    const err = bomb.map((m) => m.err ?? '').join('');
    // The limit is the old generation as V8 sizes it for --max-old-space-size=1024: 1024 MB on Node 20/22, more on 24.
    expect(err).toMatch(/^nrepl-ts: evaluation stopped: the host's heap (reached 80 % of its limit \(\d+ MB of \d+ MB\)|was about to reach its limit \(\d+ MB of \d+ MB, growing \d+ MB every 20 ms\)); what the evaluation stored in variables still holds its memory\n$/);
    expect(bomb.filter((m) => hasStatus(m, 'done')).map((m) => m.status)).toEqual([['interrupted', 'done']]);
    expect(alive(host)).toBe(true);
    expect((await httpGet(host.httpPort!)).status).toBe(200);
    // What the eval kept is the user's to free; the session still works to do it.
    expect((await c.eval('a.length = 0; "freed"', { session })).values).toEqual(["'freed'"]);
    // A long eval that does not allocate is never stopped, even with the heap still full of garbage.
    const busy = await c.eval('const t = Date.now(); let n = 0; while (Date.now() - t < 300) n++; "busy"', { session });
    expect(busy.values, JSON.stringify(busy.responses)).toEqual(["'busy'"]);
    await c.end();
    await httpGet(host.httpPort!, '/quit');
    expect(await host.child.exited).toEqual({ code: 5, signal: null });
    expect(host.child.stderr(), 'no inspector session outlives a poll').not.toMatch(/Waiting for the debugger|FATAL ERROR/);
  }, 120_000);
});
