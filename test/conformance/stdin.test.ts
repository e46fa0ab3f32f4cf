// Conformance, stdin (spec §2.1 stdin, issue 3 "stdin"): evaluated code reads
// a line with `await $readLine()`; reading from an empty buffer sends
// {id: <eval id>, status [need-input]}, and the `stdin` op feeds the session.
import { describe, expect, it } from 'vitest';
import { expectSingleDone, expectStatuses, hasStatus, open, show, sleep, startHost, statuses, track, type Conn, type Response } from './harness';

/**
 * Sends an eval that reads input and, at each need-input (or after
 * `fallbackMs` without one, so a missing need-input fails with a clear
 * message instead of a timeout), sends the next of `inputs` through `feeder`.
 */
async function evalWithInput(c: Conn, feeder: Conn, session: string, id: string, code: string, inputs: string[], fallbackMs = 5_000) {
  const needInput: Response[] = [];
  const stdinReplies: Array<Promise<string[]>> = [];
  let fallback: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(fallback);
    if (inputs.length > 0) fallback = setTimeout(feed, fallbackMs);
  };
  const feed = () => {
    const next = inputs.shift();
    if (next !== undefined) stdinReplies.push(track(feeder.stdin(session, next)));
    arm();
  };
  arm();
  const responses = await c.message({ op: 'eval', id, session, code }, (r) => {
    if (!hasStatus(r, 'need-input')) return;
    needInput.push(r);
    feed();
  });
  clearTimeout(fallback);
  return { responses, needInput, stdinStatuses: await Promise.all(stdinReplies) };
}

describe('stdin', () => {
  it('await $readLine() sends need-input; stdin "hello\\n" answers [done] and the value is \'hello\'', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const session = await c.clone();
    const { responses, needInput, stdinStatuses } = await evalWithInput(c, c, session, 'read-1', 'await $readLine()', ['hello\n']);
    expect(needInput.length, `expected {id "read-1", status [need-input]} before any input: ${show(responses)}`).toBeGreaterThanOrEqual(1);
    expect(needInput[0]!.id, 'need-input carries the eval id').toBe('read-1');
    expect(needInput[0]!.session, 'need-input carries the session').toBe(session);
    expect(needInput[0]!.status, 'need-input is not the done message').not.toContain('done');
    expect(stdinStatuses.length).toBe(1);
    expectStatuses(stdinStatuses[0]!, ['done'], 'the stdin op');
    expect(responses.map((r) => r.value).filter(Boolean), 'the line read, without its newline').toEqual(["'hello'"]);
    await expectSingleDone(c, 'read-1', responses);
  });

  it('input sent before the eval reads is used without need-input, one line per call', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const session = await c.clone();
    expectStatuses(await c.stdin(session, 'first\nsecond\n'), ['done'], 'stdin ahead of the read');
    const responses = await c.request({ op: 'eval', id: 'read-2', session, code: '[await $readLine(), await $readLine()]' });
    expect(responses.map((r) => r.value).filter(Boolean)).toEqual(["[ 'first', 'second' ]"]);
    expect(statuses(responses), 'need-input only when the buffer is empty').not.toContain('need-input');
  });

  it('stdin "" is end of input: $readLine() returns null', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const session = await c.clone();
    const { responses } = await evalWithInput(c, c, session, 'read-eof', 'await $readLine()', ['']);
    expect(responses.map((r) => r.value).filter(Boolean), '$readLine() at EOF').toEqual(['null']);
  });

  it('a line fed in pieces is returned whole', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const session = await c.clone();
    const { responses } = await evalWithInput(c, c, session, 'read-parts', 'await $readLine()', ['hel', 'lo wor', 'ld\n'], 1_000);
    expect(responses.map((r) => r.value).filter(Boolean)).toEqual(["'hello world'"]);
  });

  it('stdin from another connection feeds the session (sessions belong to the server)', async () => {
    const host = await startHost();
    const a = await open(host.port);
    const b = await open(host.port);
    const session = await a.clone();
    const { responses, stdinStatuses } = await evalWithInput(a, b, session, 'read-other', "'got ' + await $readLine()", ['from b\n']);
    expectStatuses(stdinStatuses[0] ?? [], ['done'], 'stdin sent from another connection');
    expect(responses.map((r) => r.value).filter(Boolean)).toEqual(["'got from b'"]);
  });

  it('other evals and ops are answered while an eval waits for input', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const [waiting, other] = [await c.clone(), await c.clone()];
    const pending = track(c.request({ op: 'eval', id: 'read-wait', session: waiting, code: 'await $readLine()' }, { timeoutMs: 20_000 }));
    await sleep(300);
    expect((await c.eval('2 + 3', { session: other })).values, 'eval in another session while one waits for input').toEqual(['5']);
    expect(typeof (await c.describe()).ops).toBe('object');
    await c.stdin(waiting, 'done now\n');
    expect((await pending).map((r) => r.value).filter(Boolean)).toEqual(["'done now'"]);
  });
});
