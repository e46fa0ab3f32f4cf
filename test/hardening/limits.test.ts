// Limits (issue 5, README "Server options"): each limit refuses only the
// client that crosses it, with a clear answer where the protocol has one,
// and the host app and every other client carry on.
// - max-connections: the n+1th client is closed at once; a freed slot is reused.
// - max-sessions: clone beyond the limit answers [error, too-many-sessions, done].
// - max-message-bytes: an oversized frame (even one only announced by its
//   length prefix) gets one error reply — naming its id when the id came
//   before the oversized value — then the connection closes.
// - output-buffer-bytes: a client that stops reading while an eval prints
//   forever costs the host a bounded amount of memory; output beyond the
//   buffer is dropped (values and statuses never are) and the client is told
//   how many messages were dropped, on that eval's id, when it reads again.
// - a client that keeps sending requests but never reads the answers is no
//   longer read from once its answers fill the buffer, so it cannot grow the
//   host's memory either.
// - requests keep nothing after they are answered (`stdin` without a session
//   once kept its text forever).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPS } from '../helpers/agent';
import { alive, frame, hasStatus, httpGet, MB, open, openRaw, rssBytes, sleep, startHost, statusOf, type Host } from './helpers';

const APP = join(APPS, 'soak-http.cjs');

/** The HTTP fixture with one nREPL server configured by `fields` (EDN map entries). */
function startWith(fields: string): Promise<Host> {
  return startHost({ app: APP, http: true, env: { NREPL_SERVER_NREPL: `{:port 0 :accept nrepl-ts/nrepl ${fields}}` } });
}

async function expectHttpOk(host: Host): Promise<void> {
  const r = await httpGet(host.httpPort!, '/sum?n=100');
  expect(r.status).toBe(200);
  expect(JSON.parse(r.body).sum, 'the host app answers correctly').toBe(5050);
}

/** Samples the host's RSS every `every` ms for `ms`, returning the peak. */
async function peakRss(pid: number, ms: number, every = 100, during?: () => Promise<void>): Promise<number> {
  let peak = rssBytes(pid);
  const until = Date.now() + ms;
  while (Date.now() < until) {
    await sleep(every);
    peak = Math.max(peak, rssBytes(pid));
    if (during) await during();
  }
  return peak;
}

describe('max-connections', () => {
  it('the n+1th client waits unread for a free slot and is served as soon as one frees; the others and the app are unaffected', async () => {
    const host = await startWith(':max-connections 3');
    const clients = [await open(host.port), await open(host.port), await open(host.port)];
    for (const [i, c] of clients.entries()) expect((await c.eval(`${i} + 1`)).values).toEqual([String(i + 1)]);

    const extra = await openRaw(host.port);
    extra.write(frame({ op: 'eval', id: 'fourth', code: "'served once a slot freed'" }));
    await sleep(500);
    expect(extra.messages, 'no service while every slot is taken').toEqual([]);
    for (const [i, c] of clients.entries()) expect((await c.eval(`${i} * 10`)).values, `client ${i} while one waits`).toEqual([String(i * 10)]);
    await expectHttpOk(host);

    await clients[0].end();
    const served = await extra.waitFor((r) => r.id === 'fourth' && typeof r.value === 'string', 'the waiting client to be served');
    expect(served.value).toBe("'served once a slot freed'");
    expect(alive(host)).toBe(true);
  });

  it('a client that waits longer than 5 s for a slot is refused, with one line', async () => {
    const host = await startWith(':max-connections 1');
    const first = await open(host.port);
    expect((await first.eval('1')).values).toEqual(['1']);
    const extra = await openRaw(host.port);
    extra.write(frame({ op: 'describe', id: 'second' }));
    await Promise.race([extra.closed, sleep(10_000).then(() => Promise.reject(new Error('the waiting client was not refused within 10 s')))]);
    expect(extra.messages, 'the refused client gets no nREPL service').toEqual([]);
    await host.child.waitFor(/server nrepl: refused client 2: 1 connections already open \(max-connections\)/);
    expect((await first.eval('2')).values).toEqual(['2']);
  });
});

describe('max-sessions', () => {
  it('clone beyond the limit answers an error status with done; closing a session frees a slot', async () => {
    const host = await startWith(':max-sessions 2');
    const c = await open(host.port);
    const a = await c.clone();
    const other = await open(host.port);
    await other.clone(); // sessions are server-wide: a second connection uses the second slot
    const refused = await c.request({ op: 'clone', id: 'third' });
    const statuses = statusOf(refused);
    expect(statuses).toEqual(expect.arrayContaining(['error', 'too-many-sessions', 'done']));
    expect(refused.filter((r) => hasStatus(r, 'done')), 'exactly one done').toHaveLength(1);
    expect(refused.some((r) => r['new-session'] !== undefined), 'no session is created').toBe(false);
    expect(refused.map((r) => r.err).join(''), 'the client is told why').toMatch(/too many sessions \(max-sessions\)/);
    expect((await c.lsSessions()).length).toBe(2);
    // Evals without a session (ephemeral) still work at the limit.
    expect((await c.eval('1 + 2')).values).toEqual(['3']);
    expect(await c.close(a)).toContain('session-closed');
    expect(await c.clone()).toMatch(/^[0-9a-f-]{36}$/);
    await expectHttpOk(host);
  });
});

describe('max-message-bytes', () => {
  it('an oversized frame gets one error reply naming its id, then a close; a busy neighbour and the app never notice', async () => {
    const host = await startWith(':max-message-bytes 4096');
    const neighbour = await open(host.port);
    let stop = false;
    let answered = 0;
    const wrong: string[] = [];
    const busy = (async () => {
      while (!stop) {
        const r = await neighbour.eval(`${answered} + 1`);
        if (r.values[0] !== String(answered + 1)) wrong.push(JSON.stringify(r));
        answered++;
      }
    })();
    busy.catch(() => {}); // a failed test must not add an unhandled rejection

    // Keys in the order most clients write them (op and id first), so the reader has seen the id.
    const raw = await openRaw(host.port);
    raw.write(`d2:op4:eval2:id7:too-big4:code8002:'${'b'.repeat(8_000)}'e`);
    const reply = await raw.waitFor((r) => hasStatus(r, 'error'), 'an error reply to the oversized frame');
    expect(reply.id, 'the error names the request when its id came before the problem').toBe('too-big');
    expect(statusOf([reply])).toEqual(expect.arrayContaining(['error', 'frame-too-large', 'done']));
    expect(String(reply.err)).toMatch(/exceeds maxMessageBytes = 4096/);
    await raw.closed;
    expect(raw.messages.filter((m) => m.value !== undefined), 'the oversized eval never ran').toEqual([]);

    // Sorted keys (our encoder's order): the id comes after the oversized code, so the reply has none.
    const sorted = await openRaw(host.port);
    sorted.write(frame({ op: 'eval', id: 'sorted', code: `'${'c'.repeat(8_000)}'` }));
    const anonymous = await sorted.waitFor((r) => hasStatus(r, 'error'), 'an error reply to an oversized sorted frame');
    expect(statusOf([anonymous])).toEqual(expect.arrayContaining(['error', 'frame-too-large', 'done']));
    await sorted.closed;

    // A length prefix alone is enough: the server does not wait for 1 TB to arrive.
    const announced = await openRaw(host.port);
    announced.write('d2:id3:big4:code999999999999:');
    const early = await announced.waitFor((r) => hasStatus(r, 'error'), 'an error reply to an announced oversized string', 3_000);
    expect(statusOf([early])).toContain('frame-too-large');
    await announced.closed;

    stop = true;
    await busy;
    expect(answered, 'the neighbour kept evaluating throughout').toBeGreaterThan(0);
    expect(wrong, 'every neighbour eval answered correctly').toEqual([]);
    await expectHttpOk(host);
    expect(alive(host)).toBe(true);
  });
});

describe('a client that does not read', () => {
  it('an eval printing forever from a timer: RSS stays bounded, the app answers, the client learns what was dropped', async () => {
    const host = await startWith(''); // default output-buffer-bytes: 8 MiB
    const control = await open(host.port);
    expect((await control.eval("'x'.repeat(10)")).values).toHaveLength(1); // warm the eval path before measuring
    const start = rssBytes(host.child.proc.pid!);

    const stalled = await openRaw(host.port, { read: false });
    stalled.write(frame({ op: 'eval', id: 'flood', code: "globalThis.__flood = setInterval(() => console.log('x'.repeat(1e4)), 0); 'flooding'" }));
    let httpChecks = 0;
    const peak = await peakRss(host.child.proc.pid!, 5_000, 200, async () => {
      await expectHttpOk(host);
      httpChecks++;
    });
    expect(httpChecks).toBeGreaterThan(5);
    expect(peak - start, `RSS grew from ${(start / MB).toFixed(0)} MB to a peak of ${(peak / MB).toFixed(0)} MB`).toBeLessThan(150 * MB);

    await control.eval('clearInterval(globalThis.__flood)');
    const notice = await stalled.waitFor((r) => /dropped \d+ output message/.test(String(r.err ?? '')), 'the dropped-output notice', 15_000);
    expect(notice.id, 'the notice goes to the eval whose output was dropped').toBe('flood');
    expect(stalled.messages.find((m) => m.id === 'flood' && m.value !== undefined)?.value, 'the value is never dropped').toBe("'flooding'");
    expect(stalled.messages.filter((m) => m.id === 'flood' && hasStatus(m, 'done'))).toHaveLength(1);
    expect(alive(host)).toBe(true);
  });

  it('requests sent without ever reading the answers do not grow the host: the server stops reading that client', async () => {
    const host = await startWith('');
    const control = await open(host.port);
    await control.describe();
    const pid = host.child.proc.pid!;
    const start = rssBytes(pid);
    const stalled = await openRaw(host.port, { read: false });
    // ~60 MB of describe requests whose answers would be ~40x larger.
    const one = frame({ op: 'describe', 'verbose?': 1 });
    const batch = Buffer.concat(Array.from({ length: 1000 }, () => one));
    let sent = 0;
    const writer = (async () => {
      while (sent < 60 * MB && !stalled.socket.destroyed) {
        if (!stalled.socket.write(batch)) {
          let drained = () => {};
          await Promise.race([new Promise<void>((r) => stalled.socket.once('drain', (drained = r))), sleep(200)]);
          stalled.socket.off('drain', drained); // a stalled reader never drains: don't pile up listeners
        }
        sent += batch.length;
      }
    })();
    const peak = await peakRss(pid, 6_000, 200, async () => {
      await expectHttpOk(host);
    });
    expect(peak - start, `RSS grew from ${(start / MB).toFixed(0)} MB to a peak of ${(peak / MB).toFixed(0)} MB`).toBeLessThan(150 * MB);
    expect((await control.eval("'still serving'")).values, 'other clients are served meanwhile').toEqual(["'still serving'"]);
    stalled.socket.destroy();
    await writer.catch(() => {});
    expect(alive(host)).toBe(true);
  });
});

describe('memory per request', () => {
  // stdin for a throw-away session has no eval to read it: nothing is kept. The leak this guards
  // against kept every text on the main thread's heap, so that heap is what is measured (live,
  // after a full GC); RSS would also show V8's high-water heaps, which differ per Node version.
  it('stdin without a session keeps nothing: 1,000 x 100 KB leave the live heap within 10 MB', async () => {
    const host = await startHost({ app: APP, http: true, nodeArgs: ['--expose-gc'], env: { NREPL_SERVER_NREPL: '{:port 0 :accept nrepl-ts/nrepl}' } });
    const c = await open(host.port);
    const liveHeap = "gc(); Math.round(process.memoryUsage().heapUsed / 1024)";
    const before = Number((await c.eval(liveHeap)).values[0]);
    const text = 'z'.repeat(100_000);
    for (let i = 0; i < 1000; i++) await c.request({ op: 'stdin', stdin: text });
    const after = Number((await c.eval(liveHeap)).values[0]);
    expect(after - before, `main-thread live heap ${before} KB -> ${after} KB`).toBeLessThan(10 * 1024);
  });
});
