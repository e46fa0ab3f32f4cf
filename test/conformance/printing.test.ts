// Conformance, printing (spec §3.1, §1.4 truthiness, §8.6, issue 3 "Printing
// options"): stream? sends value chunks and then ns in its own message, quota
// truncates with a namespaced status, print chooses the printer, options
// reach it; a 10 MB value streams whole and chunks never split a character.
import { describe, expect, it } from 'vitest';
import type { Encodable } from '../../src/shared/bencode/bencode';
import { expectSingleDone, expectStatuses, hasStatus, open, show, startHost, statuses, stringDiff, type Response } from './harness';

const P = 'nrepl.middleware.print';
const TRUNCATED = `${P}/truncated`;

/** Checks the streamed shape: value-only chunks, then one message with ns and no value, then done. */
function expectStreamed(responses: Response[], what: string): string[] {
  const valueAts = responses.flatMap((r, i) => (r.value !== undefined ? [i] : []));
  expect(valueAts.length, `${what}: expected at least one value chunk: ${show(responses)}`).toBeGreaterThan(0);
  for (const i of valueAts) expect(responses[i]!.ns, `${what}: streamed value chunks carry no ns: ${show(responses)}`).toBeUndefined();
  const nsAts = responses.flatMap((r, i) => (r.ns !== undefined ? [i] : []));
  expect(nsAts.length, `${what}: expected one separate message with ns after the chunks: ${show(responses)}`).toBe(1);
  expect(nsAts[0], `${what}: ns follows the last value chunk`).toBeGreaterThan(Math.max(...valueAts));
  const doneAt = responses.findIndex((r) => hasStatus(r, 'done'));
  expect(doneAt, `${what}: done comes last`).toBe(responses.length - 1);
  return valueAts.map((i) => responses[i]!.value!);
}

function expectNotStreamed(responses: Response[], what: string): void {
  const withValue = responses.filter((r) => r.value !== undefined);
  expect(withValue.length, `${what}: one value message: ${show(responses)}`).toBe(1);
  expect(withValue[0]!.ns, `${what}: without stream? the value message carries ns: ${show(responses)}`).toBe('user');
}

describe('stream?', () => {
  it('sends the value in chunks, then ns in a separate message, then done', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const responses = await c.request({ op: 'eval', id: 'st-1', code: "'x'.repeat(3000)", [`${P}/stream?`]: '1' });
    const chunks = expectStreamed(responses, 'stream? "1"');
    expect(chunks.join(''), 'the chunks join to the printed value').toBe(`'${'x'.repeat(3000)}'`);
    await expectSingleDone(c, 'st-1', responses);
  });

  it('honours buffer-size as the chunk size', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const responses = await c.request({ op: 'eval', code: "'y'.repeat(1000)", [`${P}/stream?`]: 1, [`${P}/buffer-size`]: 100 });
    const chunks = expectStreamed(responses, 'stream? with buffer-size 100');
    expect(chunks.join('')).toBe(`'${'y'.repeat(1000)}'`);
    expect(chunks.length, `a 1002-char value with buffer-size 100 comes in several chunks, got ${chunks.length}`).toBeGreaterThanOrEqual(5);
  });

  // Reference truthiness: absent or nil (le) is false; anything else, even "false" or i0e, is true.
  it.each<[string, 'streamed' | 'not streamed', Encodable]>([
    ['"1"', 'streamed', '1'],
    ['i1e', 'streamed', 1],
    ['"true"', 'streamed', 'true'],
    ['"false"', 'streamed', 'false'],
    ['i0e', 'streamed', 0],
    ['nil (le)', 'not streamed', []],
    ['absent', 'not streamed', undefined],
  ])('stream? %s: %s', async (_label, expected, flag) => {
    const streamed = expected === 'streamed';
    const host = await startHost();
    const c = await open(host.port);
    const responses = await c.request({ op: 'eval', code: '21 * 2', [`${P}/stream?`]: flag });
    if (streamed) expect(expectStreamed(responses, `stream? ${_label}`).join('')).toBe('42');
    else expectNotStreamed(responses, `stream? ${_label}`);
  });

  it('streams a 10 MB value whole', { timeout: 120_000 }, async () => {
    const host = await startHost();
    const c = await open(host.port, 90_000);
    const size = 10 * 1024 * 1024;
    const responses = await c.request({ op: 'eval', code: `'a'.repeat(${size})`, [`${P}/stream?`]: '1', [`${P}/print`]: 'json' });
    const chunks = responses.filter((r) => r.value !== undefined).map((r) => r.value!);
    expect(chunks.length, `a 10 MB value is sent in more than one chunk; got: ${show(responses.filter((r) => r.value === undefined))}`).toBeGreaterThan(1);
    const joined = chunks.join('');
    expect(stringDiff(joined, `"${'a'.repeat(size)}"`), 'the chunks must join to the whole 10 MB value').toBe('');
    expectStatuses(statuses(responses), ['done'], '10 MB value');
    expect(statuses(responses), 'no quota was given').not.toContain(TRUNCATED);
  });

  it('never splits a multi-byte character across chunks', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const text = 'é€😀'.repeat(20_000);
    const responses = await c.request({ op: 'eval', code: `'é€😀'.repeat(20000)`, [`${P}/stream?`]: '1', [`${P}/print`]: 'json', [`${P}/buffer-size`]: 1000 });
    const joined = responses.filter((r) => r.value !== undefined).map((r) => r.value!).join('');
    expect(joined.includes('\uFFFD'), 'a chunk ended inside a UTF-8 sequence (U+FFFD after decoding)').toBe(false);
    expect(stringDiff(joined, JSON.stringify(text)), 'the chunks must join to the whole value').toBe('');
  });
});

describe('quota', () => {
  it('cuts the value to N chars and adds the truncated status (and truncated-keys)', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const responses = await c.request({ op: 'eval', id: 'q-1', code: "'x'.repeat(100)", [`${P}/quota`]: 10 });
    const withValue = responses.filter((r) => r.value !== undefined);
    expect(withValue.length, `one value: ${show(responses)}`).toBe(1);
    const value = withValue[0]!.value!;
    expect(value, 'a value cut to the quota of 10 chars').toBe(`'${'x'.repeat(100)}'`.slice(0, 10));
    expectStatuses(statuses(responses), [TRUNCATED, 'done'], 'quota 10 on a 102-char value');
    expect(withValue[0]![`${P}/truncated-keys`], 'the truncated message names the cut key (spec §3.1)').toEqual(['value']);
    await expectSingleDone(c, 'q-1', responses);
  });

  it('with stream? caps the streamed chunks and sends the truncated status', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const responses = await c.request({ op: 'eval', code: "'z'.repeat(5000)", [`${P}/quota`]: 100, [`${P}/stream?`]: '1' });
    const joined = responses.filter((r) => r.value !== undefined).map((r) => r.value!).join('');
    expect(joined.length, 'streamed chunks stay within the quota').toBeLessThanOrEqual(100);
    expect(`'${'z'.repeat(5000)}'`.startsWith(joined), 'the streamed part is a prefix of the value').toBe(true);
    expectStatuses(statuses(responses), [TRUNCATED, 'done'], 'quota with stream?');
  });

  it('does not truncate a value within the quota', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const r = await c.eval("'short'", { [`${P}/quota`]: 1000 });
    expect(r.values).toEqual(["'short'"]);
    expect(r.status).not.toContain(TRUNCATED);
  });
});

describe('printer and options', () => {
  it('print "json" prints JSON', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const r = await c.eval('({ a: 1, b: [true, null, "s"] })', { [`${P}/print`]: 'json' });
    expect(r.values.length, `one value: ${show(r.responses)}`).toBe(1);
    let parsed: unknown;
    expect(() => (parsed = JSON.parse(r.values[0]!)), `print "json" must print JSON, got ${JSON.stringify(r.values[0])}`).not.toThrow();
    expect(parsed).toEqual({ a: 1, b: [true, null, 's'] });
  });

  it('options reach util.inspect (depth)', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const r = await c.eval('({ a: { b: { c: 1 } } })', { [`${P}/options`]: { depth: 0 } });
    expect(r.values, 'inspect with depth 0').toEqual(['{ a: [Object] }']);
  });

  it('an unknown printer falls back to the default and says so with print/error', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const r = await c.eval('1 + 1', { [`${P}/print`]: 'no.such/printer' });
    expect(r.values, 'the default printer is used').toEqual(['2']);
    expectStatuses(r.status, [`${P}/error`, 'done'], 'unknown printer');
    expect(r.status, 'an unknown printer is not an eval error').not.toContain('eval-error');
  });
});
