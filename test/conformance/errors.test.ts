// Conformance, errors (spec §2.2 error sequence, §2.4, §8.2-3, §8.7, issue 3):
// err text, then {ex, root-ex, status [eval-error]}, then {status [done]};
// Clojure snippets are ordinary eval errors; protocol mistakes are statuses;
// nothing thrown by evaluated code terminates the host.
import { describe, expect, it } from 'vitest';
import {
  alive,
  expectEchoes,
  expectSingleDone,
  expectStatuses,
  hasStatus,
  httpGet,
  open,
  show,
  sleep,
  startHost,
  startHttpHost,
  statuses,
  type Response,
} from './harness';

/** Checks the reference order: all err before the ex message, the ex message before done, done last and alone. */
function expectErrorSequence(responses: Response[], what: string): Response {
  const exAt = responses.findIndex((r) => r.ex !== undefined);
  expect(exAt, `${what}: expected a message with ex: ${show(responses)}`).toBeGreaterThanOrEqual(0);
  const exMsg = responses[exAt]!;
  expect(exMsg.status ?? [], `${what}: the ex message has status eval-error`).toContain('eval-error');
  const errAts = responses.flatMap((r, i) => (r.err !== undefined ? [i] : []));
  expect(errAts.length, `${what}: expected err text before ex: ${show(responses)}`).toBeGreaterThan(0);
  expect(Math.max(...errAts), `${what}: err must come before the ex message`).toBeLessThan(exAt);
  const doneAt = responses.findIndex((r) => hasStatus(r, 'done'));
  expect(doneAt, `${what}: done must come after the ex message`).toBeGreaterThan(exAt);
  expect(exMsg.status ?? [], `${what}: done is a separate message after eval-error`).not.toContain('done');
  return exMsg;
}

describe('eval errors', () => {
  it('a TypeError: err "Uncaught …message…", then {ex TypeError, root-ex TypeError, [eval-error]}, then [done]', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const s = await c.clone();
    const responses = await c.request({ op: 'eval', id: 'err-1', session: s, code: 'null.x' });
    expectEchoes(responses, 'err-1', s, 'eval error');
    const ex = expectErrorSequence(responses, 'null.x');
    const err = responses.map((r) => r.err ?? '').join('');
    expect(err, 'err text starts with "Uncaught " and has the message').toMatch(/^Uncaught [\s\S]*Cannot read properties of null/);
    expect(ex.ex, 'ex is the class name').toBe('TypeError');
    expect(ex['root-ex'], 'root-ex without a cause is the class name').toBe('TypeError');
    await expectSingleDone(c, 'err-1', responses);
    expect((await c.eval('1 + 1', { session: s })).values, 'the session works after an error').toEqual(['2']);
  });

  it('err carries the stack of an error thrown in a function', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const r = await c.eval("function failing() { throw new Error('deep') }\nfailing()");
    expect(r.err, 'err text starts with "Uncaught " and has the message').toMatch(/^Uncaught [\s\S]*Error: deep/);
    expect(r.err, 'err includes the stack').toMatch(/\n\s+at failing/);
  });

  it('root-ex follows cause', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const r = await c.eval("throw new Error('outer', { cause: new SyntaxError('middle', { cause: new RangeError('inner') }) })");
    expect(r.ex, 'ex is the thrown class').toBe('Error');
    expect(r.rootEx, 'root-ex is the class at the end of the cause chain').toBe('RangeError');
    expectStatuses(r.status, ['eval-error', 'done'], 'error with cause');
  });

  it('reports the class name of a custom error class', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const r = await c.eval("class ConfError extends Error { constructor(m) { super(m); this.name = 'ConfError' } }\nthrow new ConfError('custom')");
    expect(r.ex).toBe('ConfError');
    expect(r.err).toContain('custom');
  });

  it('a rejected awaited promise is an eval error', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const responses = await c.request({ op: 'eval', id: 'rej-1', code: "await Promise.reject(new RangeError('nope'))" });
    const ex = expectErrorSequence(responses, 'rejected await');
    expect(ex.ex).toBe('RangeError');
    expect(responses.map((r) => r.err ?? '').join('')).toMatch(/^Uncaught [\s\S]*nope/);
    expect(responses.some((r) => r.value !== undefined), 'a rejected await has no value').toBe(false);
  });

  it('throwing a non-Error is an eval error too', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const r = await c.eval("throw 'just a string'");
    expectStatuses(r.status, ['eval-error', 'done'], 'throw of a string');
    expect(r.err).toMatch(/^Uncaught [\s\S]*just a string/);
  });

  it('nrepl.middleware.caught/print? adds the printed error as nrepl.middleware.caught/throwable', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const r = await c.eval("throw new Error('printed')", { 'nrepl.middleware.caught/print?': 'true' });
    const exMsg = r.responses.find((m) => hasStatus(m, 'eval-error'));
    expect(String(exMsg?.['nrepl.middleware.caught/throwable'] ?? ''), `the eval-error message carries the printed error: ${show(r.responses)}`).toContain('printed');
  });
});

describe('Clojure code sent by clients (spec §8.7, issue 11)', () => {
  // Not among the editors' bootstrap snippets (test/conformance/editors.test.ts has those, answered quietly).
  const snippets = ['(str *ns*)', '(System/getProperty "user.dir")', '(clojure.core/apply clojure.core/require requires)'];
  it.each(snippets)('%s is an ordinary eval error with done, with and without a session', async (code) => {
    const host = await startHost();
    const c = await open(host.port);
    const s = await c.clone();
    for (const session of [undefined, s]) {
      const r = await c.eval(code, session ? { session } : {});
      expectStatuses(r.status, ['eval-error', 'done'], `${code} (session ${session ?? 'none'})`);
      expect(r.err, `${code}: err text`).toMatch(/^Uncaught /);
    }
    expect((await c.eval("'after clojure'", { session: s })).values).toEqual(["'after clojure'"]);
  });

  it('(str *ns*) is a SyntaxError; *ns* answers the ns, as Calva expects', async () => {
    const host = await startHost();
    const c = await open(host.port);
    expect((await c.eval('(str *ns*)')).ex).toBe('SyntaxError');
    const ns = await c.eval('*ns*');
    expect(ns.ex).toBeUndefined();
    expect(ns.values).toEqual(['user']);
  });
});

describe('protocol errors', () => {
  it('eval without code answers [error, no-code, done]', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const s = await c.clone();
    const responses = await c.request({ op: 'eval', id: 'nocode-1', session: s });
    expectStatuses(statuses(responses), ['error', 'no-code', 'done'], 'eval without code');
    expectEchoes(responses, 'nocode-1', s, 'eval without code');
    await expectSingleDone(c, 'nocode-1', responses);
  });

  it('an unknown op answers {op, status [error, unknown-op, done]}', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const s = await c.clone();
    for (const session of [undefined, s]) {
      const id = `unknown-op-${session ? 'session' : 'none'}`;
      const responses = await c.request({ op: 'frobnicate', id, ...(session ? { session } : {}) });
      expectStatuses(statuses(responses), ['error', 'unknown-op', 'done'], `op "frobnicate" (session ${session ?? 'none'})`);
      expect(responses.find((r) => hasStatus(r, 'unknown-op'))?.op, 'the unknown-op reply names the op').toBe('frobnicate');
      expectEchoes(responses, id, session, 'unknown op');
      await expectSingleDone(c, id, responses);
    }
  });
});

describe('the host survives', () => {
  it('errors thrown later by code an eval started (timer, unhandled rejection) do not terminate the host', async () => {
    const host = await startHttpHost();
    const c = await open(host.port);
    const r = await c.eval("setTimeout(() => { throw new Error('timer boom') }, 50); Promise.reject(new Error('floating rejection')); 'armed'");
    expect(r.values).toEqual(["'armed'"]);
    await sleep(500);
    expect(alive(host), `the host must survive an async throw from evaluated code; stderr: ${host.child.stderr()}`).toBe(true);
    expect(await httpGet(host.httpPort)).toMatch(/^ok /);
    expect((await c.eval('1 + 1')).values, 'the server still evaluates').toEqual(['2']);
  });
});
