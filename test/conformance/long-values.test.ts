// Long values (issue 10, "printing off the critical copies"): a value printed
// longer than 64 K characters reaches the worker in pieces it pulls as the
// client reads (main/eval/value-streams.ts), written as one reply whose head
// carries the byte length, or as stream? runs. What the client gets must be
// what a whole print gives — util.inspect of the same value, the same quota
// cut and runs — and nothing else sent meanwhile may cut into the reply.
// A client that leaves or stops reading mid-value costs the host nothing.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { alive, frame, hasStatus, open, openRaw, show, sleep, startHost, type RawConn, type Response } from './harness';

const P = 'nrepl.middleware.print';
/** A string with every kind of text util.inspect escapes or cuts on: quotes, newlines, controls, pairs, lone halves. */
const MIXED = `Array.from({ length: 40000 }, (_, i) => ["it's", '"q"', '\\u0001\\t', 'é😀', '\\ud800', 'x'.repeat(i % 90)][i % 6] + (i % 7 === 0 ? '\\n' : ' ')).join('')`;
// eslint-disable-next-line no-eval
const mixed = (0, eval)(MIXED) as string;

/**
 * A raw connection that asks for `code`'s value and reads nothing: after
 * `ms` the value is being written, with the kernel's buffers full.
 */
async function unreadValue(port: number, request: Record<string, string>, ms = 1_000): Promise<RawConn> {
  const raw = await openRaw(port);
  raw.socket.pause();
  raw.write(frame({ op: 'eval', ...request }));
  await sleep(ms);
  return raw;
}

/** Two fresh sessions cloned over `raw`. */
async function twoSessions(raw: RawConn): Promise<[string, string]> {
  raw.write(frame({ op: 'clone', id: 'c1' }));
  raw.write(frame({ op: 'clone', id: 'c2' }));
  const session = async (id: string) => String((await raw.waitFor((m) => m.id === id && m['new-session'] !== undefined, id))['new-session']);
  return [await session('c1'), await session('c2')];
}

const values = (responses: Response[]) => responses.filter((r) => typeof r.value === 'string').map((r) => r.value as string);

describe('long values', () => {
  it('a long string arrives exactly as util.inspect prints it: whole, in stream? runs, and cut by a quota', { timeout: 60_000 }, async () => {
    const host = await startHost();
    const c = await open(host.port, 30_000);
    const printed = inspect(mixed, { maxStringLength: Infinity });
    expect(printed.length).toBeGreaterThan(200_000);

    const whole = await c.request({ op: 'eval', code: MIXED });
    expect(values(whole)).toEqual([printed]);
    expect(whole.find((r) => r.value !== undefined)?.ns, 'one reply with value and ns').toBe('user');
    expect(hasStatus(whole[whole.length - 1]!, 'done')).toBe(true);

    const runs = await c.request({ op: 'eval', code: MIXED, [`${P}/stream?`]: 1, [`${P}/buffer-size`]: 5000 });
    const chunks = values(runs);
    expect(chunks.join('')).toBe(printed);
    expect(chunks.slice(0, -1).every((v) => v.length === 5000 || v.length === 4999), 'runs of buffer-size, one less at a pair').toBe(true);
    const nsAt = runs.findIndex((r) => r.ns !== undefined);
    expect(nsAt, `ns after the last run: ${show(runs.filter((r) => r.value === undefined))}`).toBe(runs.length - 2);

    // Runs longer than a piece (64 K characters) span pieces; the last may be shorter.
    const long = values(await c.request({ op: 'eval', code: MIXED, [`${P}/stream?`]: 1, [`${P}/buffer-size`]: 150_000 }));
    expect(long.join('')).toBe(printed);
    expect(long.length).toBe(Math.ceil(printed.length / 150_000));
    expect(long[0]!.length === 150_000 || long[0]!.length === 149_999).toBe(true);

    const cut = await c.request({ op: 'eval', code: MIXED, [`${P}/quota`]: 150_001 });
    const cutValue = values(cut)[0]!;
    expect(printed.startsWith(cutValue)).toBe(true);
    expect(cutValue.length === 150_001 || cutValue.length === 150_000).toBe(true);
    expect(cut.some((r) => hasStatus(r, `${P}/truncated`))).toBe(true);
    await c.end();
  });

  it('a long value of any other kind arrives as util.inspect prints it', { timeout: 60_000 }, async () => {
    const host = await startHost();
    const c = await open(host.port, 30_000);
    const code = "Array.from({ length: 20000 }, (_, i) => ({ i, s: 'é'.repeat(i % 5), n: [i, '\\n'] }))";
    const r = await c.request({ op: 'eval', code, [`${P}/options`]: { maxArrayLength: 100_000 } });
    // eslint-disable-next-line no-eval
    expect(values(r)).toEqual([inspect((0, eval)(code), { maxArrayLength: 100_000 })]);
    await c.end();
  });

  it('output and other sessions\' replies sent meanwhile follow the value, never cut into it', { timeout: 60_000 }, async () => {
    const host = await startHost();
    const raw = await openRaw(host.port);
    const [s1, s2] = await twoSessions(raw);
    // Output from a timer lands while the 8 MB value is being written; another session answers meanwhile.
    raw.write(frame({ op: 'eval', id: 'big', session: s1, code: "let n = 0; const t = setInterval(() => { console.log('late', ++n); if (n === 20) clearInterval(t) }, 1); 'y'.repeat(8e6)" }));
    raw.write(frame({ op: 'eval', id: 'small', session: s2, code: '6 * 7' }));
    raw.write(frame({ op: 'eval', id: 'big2', session: s2, code: "'z'.repeat(3e6)" }));
    await raw.waitFor((m) => m.id === 'big2' && hasStatus(m, 'done'), 'big2 done', 30_000);
    await raw.waitFor((m) => m.id === 'big' && hasStatus(m, 'done'), 'big done', 30_000);
    // The timer may still be printing after done (late output): wait for its last line.
    await raw.waitFor((m) => m.id === 'big' && typeof m.out === 'string' && m.out.includes('late 20'), 'late 20', 30_000);
    const mine = (id: string) => raw.messages.filter((m) => m.id === id);
    expect(values(mine('big'))).toEqual([`'${'y'.repeat(8e6)}'`]);
    expect(values(mine('big2'))).toEqual([`'${'z'.repeat(3e6)}'`]);
    expect(values(mine('small'))).toEqual(['42']);
    const out = mine('big').map((m) => m.out ?? '').join('');
    expect(out).toContain('late 20');
    raw.socket.destroy();
  });

  it('a value waiting behind another is cut as it was printed, whatever util.inspect.defaultOptions become meanwhile', { timeout: 60_000 }, async () => {
    const host = await startHost();
    const raw = await openRaw(host.port);
    const [s1, s2] = await twoSessions(raw);
    raw.socket.pause();
    raw.write(frame({ op: 'eval', id: 'first', session: s1, code: "'f'.repeat(20e6)" }));
    raw.write(frame({ op: 'eval', id: 'second', session: s2, code: "'ab\\n'.repeat(1e5)" }));
    await sleep(1_000);
    const other = await open(host.port);
    await other.eval("require('node:util').inspect.defaultOptions.compact = true");
    raw.socket.resume();
    await raw.waitFor((m) => m.id === 'second' && hasStatus(m, 'done'), 'second done', 30_000);
    expect(values(raw.messages.filter((m) => m.id === 'second'))).toEqual([inspect('ab\n'.repeat(1e5), { maxStringLength: Infinity, compact: 3 })]);
    expect(raw.messages.find((m) => m.id === 'first' && m.value !== undefined)?.value?.length).toBe(20e6 + 2);
    await other.eval("require('node:util').inspect.defaultOptions.compact = 3");
    await other.end();
    raw.socket.destroy();
  });

  // Such an eval is over: nothing is interrupted, its value and a plain done follow.
  it.each([
    ['interrupt', 'session-idle', { 'interrupt-id': 'long' }],
    ['close', 'session-closed', {}],
  ] as const)('%s on a session while its value is being written: %s, then the value and a plain done', { timeout: 60_000 }, async (op, status, extra) => {
    const host = await startHost();
    const c = await open(host.port);
    const session = await c.clone();
    const raw = await unreadValue(host.port, { id: 'long', session, code: "'u'.repeat(30e6)" });
    const answer = await c.request({ op, session, ...extra });
    expect(answer.some((r) => hasStatus(r, status)), show(answer)).toBe(true);
    raw.socket.resume();
    const done = await raw.waitFor((m) => m.id === 'long' && hasStatus(m, 'done'), 'done', 30_000);
    expect(hasStatus(done, 'interrupted'), 'it had ended: nothing was interrupted').toBe(false);
    expect(raw.messages.find((m) => m.id === 'long' && m.value !== undefined)?.value?.length).toBe(30e6 + 2);
    await c.end();
    raw.socket.destroy();
  });

  it('replies queued behind a value its client does not read are bounded: the socket stops being read', { timeout: 90_000 }, async () => {
    const host = await startHost();
    const raw = await unreadValue(host.port, { id: 'long', code: "'s'.repeat(30e6)" }, 1_500);
    // 1500 replies of 60 KB each (below the size that streams) would be 90 MB kept for a client that reads nothing.
    const code = "globalThis.floodCount = (globalThis.floodCount ?? 0) + 1; 'x'.repeat(60000)";
    raw.write(Buffer.concat(Array.from({ length: 1500 }, (_, i) => frame({ op: 'eval', id: `q${i}`, code }))));
    await sleep(4_000);
    const c = await open(host.port);
    const ran = Number((await c.eval('globalThis.floodCount')).values[0]);
    // About 16 MB of replies wait (2 x output-buffer-bytes), plus the requests in progress (256).
    expect(ran, `${ran} of 1500 queued evals ran while their client read nothing`).toBeLessThan(1000);
    raw.socket.resume();
    await raw.waitFor((m) => m.id === 'q1499' && hasStatus(m, 'done'), 'the last queued eval', 60_000);
    expect(raw.messages.filter((m) => typeof m.id === 'string' && m.id.startsWith('q') && m.value !== undefined).length, 'every reply arrives once the client reads').toBe(1500);
    expect(alive(host)).toBe(true);
    await c.end();
    raw.socket.destroy();
  });

  it('a client that leaves mid-value: the host lives on, and its session takes the next eval', { timeout: 60_000 }, async () => {
    const host = await startHost();
    const c = await open(host.port);
    const session = await c.clone();
    const raw = await unreadValue(host.port, { id: 'gone', session, code: "'w'.repeat(50e6)" }, 500);
    raw.socket.destroy();
    expect((await c.request({ op: 'eval', code: '1 + 1', session }, { timeoutMs: 20_000 })).find((r) => r.value !== undefined)?.value).toBe('2');
    expect(alive(host)).toBe(true);
    await c.end();
  });

  it('a client that stops reading mid-value is cut after the frame timeout; the host lives on', { timeout: 60_000 }, async () => {
    const host = await startHost({ env: { NREPL_SERVER_NREPL: '{:port 0 :accept nrepl-ts/nrepl :frame-timeout-ms 1500}' } });
    // The kernel's buffers fill, then nothing moves for longer than the timeout.
    const raw = await unreadValue(host.port, { id: 'stall', code: "'v'.repeat(50e6)" }, 5_000);
    // A paused socket sees the server's close only once it reads what came before it.
    raw.socket.resume();
    await Promise.race([raw.closed, sleep(20_000)]);
    expect(raw.isClosed(), 'the server closed the stalled connection').toBe(true);
    expect(raw.messages.some((m) => m.id === 'stall' && hasStatus(m, 'done')), 'the value was never finished').toBe(false);
    const c = await open(host.port);
    expect((await c.eval('2 + 2')).values).toEqual(['4']);
    expect(alive(host)).toBe(true);
    await c.end();
  });
});
