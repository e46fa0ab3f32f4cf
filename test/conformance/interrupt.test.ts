// Conformance, interrupt (spec §2.3, §1.3, §8.4, §8.8, issue 3 "interrupt"):
// a runaway synchronous eval or a hung await is stopped with the reference
// replies, other connections are answered while the main thread is blocked,
// the app is healthy afterwards, and an unsafe interrupt is refused rather
// than fatal.
import { describe, expect, it } from 'vitest';
import {
  alive,
  expectSingleDone,
  expectStatuses,
  expectNoStatuses,
  httpGet,
  open,
  show,
  sleep,
  startHttpHost,
  statuses,
  track,
  type Conn,
  type Response,
} from './harness';

/** Time for an eval sent just now to be running (not queued) on a slow VM. */
const SETTLE_MS = 700;

/** Starts a blocking eval with a known id in a fresh session; resolves once it should be running. */
async function startRunaway(c: Conn, id: string, code = 'while (true) {}') {
  const session = await c.clone();
  const pending = track(c.request({ op: 'eval', id, session, code }, { timeoutMs: 20_000 }));
  await sleep(SETTLE_MS);
  return { session, pending };
}

async function expectInterrupted(pending: Promise<Response[]>, c: Conn, id: string, what: string) {
  const responses = await pending;
  expectStatuses(statuses(responses), ['interrupted', 'done'], `${what}: the interrupted eval`);
  const done = responses.find((r) => r.status?.includes('done'));
  expect(done?.status, `${what}: the eval's done carries interrupted`).toContain('interrupted');
  expect(responses.some((r) => r.value !== undefined), `${what}: an interrupted eval has no value: ${show(responses)}`).toBe(false);
  await expectSingleDone(c, id, responses);
}

async function expectAppHealthy(host: { httpPort: number }, c: Conn, session: string, what: string) {
  expect(await httpGet(host.httpPort), `${what}: the app must still answer HTTP`).toMatch(/^ok \d+/);
  const timer = await c.eval("await new Promise((r) => setTimeout(() => r('fired'), 50))", { session });
  expect(timer.values, `${what}: setTimeout must fire again`).toEqual(["'fired'"]);
  expect((await c.eval('1 + 1', { session })).values, `${what}: the session evaluates again`).toEqual(['2']);
}

describe('interrupt', () => {
  it('stops while(true){}: the eval gets [interrupted, done], the interrupt [done]; the app keeps serving', async () => {
    const host = await startHttpHost();
    const c = await open(host.port);
    const { session, pending } = await startRunaway(c, 'loop-1');
    const reply = await c.request({ op: 'interrupt', id: 'int-1', session, 'interrupt-id': 'loop-1' });
    expectStatuses(statuses(reply), ['done'], 'interrupt of a running loop');
    expectNoStatuses(statuses(reply), ['error', 'session-idle', 'interrupt-id-mismatch'], 'interrupt of a running loop');
    await expectSingleDone(c, 'int-1', reply);
    await expectInterrupted(pending, c, 'loop-1', 'while(true){}');
    await expectAppHealthy(host, c, session, 'after interrupting a sync loop');
    expect(alive(host)).toBe(true);
  });

  it('without interrupt-id stops whatever runs in the session', async () => {
    const host = await startHttpHost();
    const c = await open(host.port);
    const { session, pending } = await startRunaway(c, 'loop-noid');
    expectStatuses(await c.interrupt(session), ['done'], 'interrupt without interrupt-id');
    await expectInterrupted(pending, c, 'loop-noid', 'interrupt without interrupt-id');
  });

  it('abandons a hung await new Promise(() => {}) the same way', async () => {
    const host = await startHttpHost();
    const c = await open(host.port);
    const { session, pending } = await startRunaway(c, 'hang-1', 'await new Promise(() => {})');
    const reply = await c.interrupt(session, 'hang-1');
    expectStatuses(reply, ['done'], 'interrupt of a hung await');
    expectNoStatuses(reply, ['error'], 'interrupt of a hung await');
    await expectInterrupted(pending, c, 'hang-1', 'hung await');
    await expectAppHealthy(host, c, session, 'after abandoning a hung await');
  });

  it('an idle session answers [session-idle, done]', async () => {
    const host = await startHttpHost();
    const c = await open(host.port);
    const session = await c.clone();
    await c.eval('1', { session });
    const reply = await c.request({ op: 'interrupt', id: 'idle-1', session });
    expectStatuses(statuses(reply), ['session-idle', 'done'], 'interrupt of an idle session');
    await expectSingleDone(c, 'idle-1', reply);
  });

  it('a wrong interrupt-id answers [error, interrupt-id-mismatch, done] and leaves the eval running; queued evals do not count', async () => {
    const host = await startHttpHost();
    const c = await open(host.port);
    const { session, pending } = await startRunaway(c, 'loop-2');
    let settled = false;
    void pending.then(() => (settled = true), () => (settled = true));
    const queued = track(c.request({ op: 'eval', id: 'queued-1', session, code: "'ran after the interrupt'" }, { timeoutMs: 20_000 }));
    await sleep(100);
    expectStatuses(await c.interrupt(session, 'not-the-running-id'), ['error', 'interrupt-id-mismatch', 'done'], 'interrupt with an unknown interrupt-id');
    expectStatuses(await c.interrupt(session, 'queued-1'), ['error', 'interrupt-id-mismatch', 'done'], 'interrupt naming a queued (not running) eval');
    await sleep(200);
    expect(settled, 'the running eval must not be finished by a mismatched interrupt').toBe(false);
    expectStatuses(await c.interrupt(session, 'loop-2'), ['done'], 'interrupt with the right id');
    await expectInterrupted(pending, c, 'loop-2', 'loop after mismatches');
    const q = await queued;
    expect(q.map((r) => r.value).filter(Boolean), 'the queued eval runs after the interrupt').toEqual(["'ran after the interrupt'"]);
  });

  it('without a session (ephemeral) answers [error, session-ephemeral, done]', async () => {
    const host = await startHttpHost();
    const c = await open(host.port);
    const reply = await c.request({ op: 'interrupt', id: 'eph-1' });
    expectStatuses(statuses(reply), ['error', 'session-ephemeral', 'done'], 'interrupt without session');
    await expectSingleDone(c, 'eph-1', reply);
  });

  it('while the main thread is blocked, another connection gets describe, ls-sessions and interrupt answered', async () => {
    const host = await startHttpHost();
    const a = await open(host.port);
    const b = await open(host.port);
    const { session, pending } = await startRunaway(a, 'loop-3');
    const d = await b.describe({}, { timeoutMs: 5_000 });
    expect(typeof d.ops, 'describe answered while the main thread is blocked').toBe('object');
    expect(await b.lsSessions({}, { timeoutMs: 5_000 }), 'ls-sessions answered while blocked').toContain(session);
    expectStatuses(await b.interrupt(session, 'loop-3', { timeoutMs: 5_000 }), ['done'], 'interrupt from another connection');
    await expectInterrupted(pending, a, 'loop-3', 'loop interrupted from another connection');
    await expectAppHealthy(host, a, session, 'after an interrupt from another connection');
  });

  it('leaves the app’s own SIGINT handler in place', async () => {
    const host = await startHttpHost();
    const c = await open(host.port);
    const { session, pending } = await startRunaway(c, 'loop-4');
    await c.interrupt(session, 'loop-4');
    await pending;
    host.child.proc.kill('SIGINT');
    await host.child.waitFor(/app got SIGINT/, { from: 'stdout', timeoutMs: 5_000 });
    await sleep(200);
    expect(alive(host), 'the app’s SIGINT handler keeps it running').toBe(true);
    expect(await httpGet(host.httpPort)).toMatch(/^ok /);
  });

  it('refuses an unsafe interrupt (main thread blocked by a timer) with error + interrupt-unsafe, and the host lives', async () => {
    const host = await startHttpHost();
    const c = await open(host.port);
    const b = await open(host.port);
    const { session, pending } = await startRunaway(c, 'timer-loop', 'setTimeout(() => { while (true) {} }, 0); await new Promise(() => {})');
    const reply = await b.request({ op: 'interrupt', id: 'unsafe-1', session, 'interrupt-id': 'timer-loop' });
    expectStatuses(statuses(reply), ['error', 'interrupt-unsafe', 'done'], 'interrupt while a timer started by the eval blocks the main thread');
    await expectSingleDone(b, 'unsafe-1', reply);
    await expectInterrupted(pending, c, 'timer-loop', 'eval whose timer blocks the main thread');
    await sleep(1_000);
    expect(alive(host), `an interrupt must never kill the host; exit ${host.child.proc.exitCode} signal ${host.child.proc.signalCode}; stderr: ${host.child.stderr()}`).toBe(true);
  });
});
