// Conformance, sessions (spec §2.1 clone/close/ls-sessions, §3.2, §1.3
// unknown-session): sessions belong to the server, survive disconnects, are
// listed to every client, and an unknown session id is a status, never a hang.
import { describe, expect, it } from 'vitest';
import {
  expectEchoes,
  expectSingleDone,
  expectStatuses,
  hasStatus,
  open,
  show,
  sleep,
  startHost,
  statuses,
  track,
  UUID,
  type Response,
} from './harness';

describe('clone', () => {
  it('returns a new session id (a UUID) with done, a different one each time', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const responses = await c.request({ op: 'clone', id: 'clone-1' });
    await expectSingleDone(c, 'clone-1', responses);
    expectStatuses(statuses(responses), ['done'], 'clone');
    const ids = responses.map((r) => r['new-session']).filter((s) => s !== undefined);
    expect(ids.length, `clone must answer one new-session: ${show(responses)}`).toBe(1);
    expect(String(ids[0]), 'new-session must be a UUID').toMatch(UUID);
    const second = await c.clone();
    expect(second, 'two clones must get different ids').not.toBe(ids[0]);
  });

  it('accepts a source session, client-name and client-version; the clone is its own session', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const source = await c.clone({ 'client-name': 'conformance', 'client-version': '1.0' });
    await c.eval("'in the source'", { session: source });
    const copy = await c.clone({ session: source });
    expect(copy).toMatch(UUID);
    expect(copy, 'clone of a session must be a new session').not.toBe(source);
    expect((await c.eval('1 + 2', { session: copy })).values).toEqual(['3']);
  });
});

describe('ls-sessions and lifetime', () => {
  it('lists the persistent sessions of all connections, and sessions survive their connection', async () => {
    const host = await startHost();
    const a = await open(host.port);
    const sa = await a.clone();
    const r = await a.eval('40 + 2', { session: sa });
    expect(r.values).toEqual(['42']);
    await a.end();
    await sleep(200);
    const b = await open(host.port);
    const sb = await b.clone();
    const listed = await b.lsSessions();
    expect(listed, 'ls-sessions must list the session cloned on a connection that has since closed').toContain(sa);
    expect(listed, 'ls-sessions must list the session of this connection').toContain(sb);
    const again = await b.eval('$1', { session: sa });
    expect(again.values, 'a session must keep its history ($1) after its connection closed').toEqual(['42']);
  });

  it('does not list ephemeral sessions (requests without session)', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const before = await c.lsSessions();
    const r = await c.request({ op: 'eval', code: '1', id: 'ephemeral-1' });
    const after = await c.lsSessions();
    expect(after, 'an eval without session must not create a listed session').toEqual(before);
    const echoed = r.map((m) => m.session).filter((s): s is string => typeof s === 'string');
    for (const s of echoed) expect(after, 'the throw-away session id echoed to a session-less eval must not be listed').not.toContain(s);
  });

  it('close answers [done, session-closed], then the session is gone', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const s = await c.clone();
    const responses = await c.request({ op: 'close', session: s, id: 'close-1' });
    expectStatuses(statuses(responses), ['done', 'session-closed'], 'close');
    expectEchoes(responses, 'close-1', s, 'close');
    await expectSingleDone(c, 'close-1', responses);
    expect(await c.lsSessions(), 'ls-sessions after close').not.toContain(s);
    const after = await c.eval('1', { session: s });
    expectStatuses(after.status, ['error', 'unknown-session', 'done'], 'eval in a closed session');
  });

  it('closing a busy session finishes its running eval with interrupted and a single done', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const s = await c.clone();
    const pending = track(c.request({ op: 'eval', id: 'busy-1', session: s, code: 'await new Promise(() => {})' }));
    await sleep(300);
    expectStatuses(await c.close(s), ['done', 'session-closed'], 'close of a busy session');
    const responses = await pending;
    expectStatuses(statuses(responses), ['interrupted', 'done'], 'the eval running in a closed session (spec §3.2: a JS server sends [interrupted, done])');
    await expectSingleDone(c, 'busy-1', responses);
  });
});

describe('unknown session', () => {
  const bogus = 'no-such-session-0000';
  const requests: Array<[string, Record<string, string>]> = [
    ['eval', { code: '1' }],
    ['load-file', { file: '1' }],
    ['describe', {}],
    ['clone', {}],
    ['close', {}],
    ['ls-sessions', {}],
    ['interrupt', {}],
    ['stdin', { stdin: 'x\n' }],
    ['completions', { prefix: 'proc' }],
    ['lookup', { sym: 'JSON' }],
  ];
  it.each(requests)('%s with an unknown session answers [error, unknown-session, done] echoing the given session', async (op, fields) => {
    const host = await startHost();
    const c = await open(host.port);
    const id = `unknown-${op}`;
    const responses: Response[] = await c.request({ ...fields, op, id, session: bogus });
    expectStatuses(statuses(responses), ['error', 'unknown-session', 'done'], `${op} with session "${bogus}"`);
    expectEchoes(responses, id, bogus, `${op} with an unknown session`);
    expect(responses.some((r) => r.value !== undefined || r['new-session'] !== undefined), `${op} must not run for an unknown session: ${show(responses)}`).toBe(false);
    await expectSingleDone(c, id, responses);
  });
});

describe('evaluation order', () => {
  it('serializes evals within one session (FIFO)', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const s = await c.clone();
    const order: string[] = [];
    const note = (id: string) => (r: Response) => {
      if (hasStatus(r, 'done')) order.push(id);
    };
    const first = track(c.message({ op: 'eval', id: 'fifo-1', session: s, code: "await new Promise((r) => setTimeout(r, 500)); 'first'" }, note('fifo-1')));
    const second = track(c.message({ op: 'eval', id: 'fifo-2', session: s, code: "'second'" }, note('fifo-2')));
    await Promise.all([first, second]);
    expect(order, 'the second eval of a session must finish after the first (evals in one session are serialized)').toEqual(['fifo-1', 'fifo-2']);
  });

  it('runs evals of different sessions concurrently', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const [s1, s2] = [await c.clone(), await c.clone()];
    const code = "await new Promise((r) => setTimeout(r, 800)); 'slept'";
    const t0 = Date.now();
    const [r1, r2] = await Promise.all([track(c.eval(code, { session: s1 })), track(c.eval(code, { session: s2 }))]);
    const took = Date.now() - t0;
    expect([r1.values, r2.values]).toEqual([["'slept'"], ["'slept'"]]);
    expect(took, 'two 800 ms awaits in two sessions must overlap (spec §3.2: different sessions run concurrently)').toBeLessThan(1_500);
  });
});
