// Conformance, transport (spec §1, §1.4, §8.1, issue 3 "Transport"): bencode
// over TCP read incrementally from bytes, lenient like real clients need,
// refusing bad and oversized input without harming other clients or the app.
import { describe, expect, it } from 'vitest';
import {
  alive,
  expectErrorOrClose,
  expectStatuses,
  frame,
  hasStatus,
  open,
  openRaw,
  show,
  sleep,
  startHost,
  track,
  unsortedFrame,
} from './harness';

const doneFor = (id: string) => (r: { id?: string; status?: string[] }) => r.id === id && Array.isArray(r.status) && r.status.includes('done');

describe('framing', () => {
  it('reads a request written one byte per write, multi-byte UTF-8 characters included', async () => {
    const host = await startHost();
    const raw = await openRaw(host.port);
    await raw.writeBytewise(frame({ op: 'eval', id: 'split-1', code: "'héllo wörld € 😀'" }));
    await raw.waitFor(doneFor('split-1'), 'a "done" for a request split into 1-byte writes');
    const values = raw.messages.filter((m) => m.id === 'split-1' && m.value !== undefined).map((m) => m.value);
    expect(values, `expected the value of the split request to be 'héllo wörld € 😀' (UTF-8 byte lengths): ${show(raw.messages)}`).toEqual(["'héllo wörld € 😀'"]);
  });

  it('reads many requests from a single write and answers each', async () => {
    const host = await startHost();
    const raw = await openRaw(host.port);
    const ids = ['many-1', 'many-2', 'many-3', 'many-4'];
    raw.write(Buffer.concat(ids.map((id, i) => frame({ op: 'eval', id, code: `${i} + 100` }))));
    for (const [i, id] of ids.entries()) {
      await raw.waitFor(doneFor(id), `a "done" for ${id}, sent with three other frames in one write`);
      const value = raw.messages.find((m) => m.id === id && m.value !== undefined)?.value;
      expect(value, `value of ${id}`).toBe(String(i + 100));
    }
  });

  it('counts string lengths in UTF-8 bytes both ways', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const r = await c.eval("'é€😀'.length + ':' + 'é€😀'");
    // 'é€😀'.length is 4 in UTF-16 code units; on the wire these are 2 + 3 + 4 bytes.
    expect(r.values, 'value of a string with 2-, 3- and 4-byte characters').toEqual(["'4:é€😀'"]);
  });

  it('never sends a greeting: the client speaks first', async () => {
    const host = await startHost();
    const raw = await openRaw(host.port);
    await sleep(500);
    expect(raw.messages, 'the bencode transport must not send anything before the first request').toEqual([]);
    expect(raw.isClosed(), 'the server must keep an idle connection open').toBe(false);
  });
});

describe('lenient reading (spec §1.4)', () => {
  it('accepts dict keys in any order', async () => {
    const host = await startHost();
    const raw = await openRaw(host.port);
    // Sorted order would be code, id, op.
    raw.write(unsortedFrame([['op', 'eval'], ['id', 'unsorted-1'], ['code', '20 + 22']]));
    await raw.waitFor(doneFor('unsorted-1'), 'a "done" for a request with unsorted keys');
    expect(raw.messages.find((m) => m.id === 'unsorted-1' && m.value !== undefined)?.value).toBe('42');
  });

  it('accepts integers where strings or booleans are expected (Calva sends i0e/i1e)', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const r = await c.eval('6 * 7', { 'file-name': 0, pprint: 0, verbose: 1 });
    expectStatuses(r.status, ['done'], 'eval with integer file-name/pprint/verbose');
    expect(r.values, 'eval with integer flags must still evaluate').toEqual(['42']);
    const d = await c.describe({ 'verbose?': 1 });
    expect(typeof d.ops, 'describe with verbose? i1e').toBe('object');
  });

  it('answers a request without id (rep sends none) and ignores unknown keys', async () => {
    const host = await startHost();
    const c = await open(host.port);
    c.post({ op: 'eval', code: "'no-id'", ns: 'user', 'x-unknown-key': 'whatever' });
    await c.inbox.waitFor((r) => hasStatus(r, 'done'), 'a "done" for an eval sent without id');
    expect(c.inbox.messages.map((m) => m.value).filter(Boolean), 'value of an eval without id').toEqual(["'no-id'"]);
  });
});

describe('bad input', () => {
  it('malformed bencode gets an error response or a close; other clients and the app are unaffected', async () => {
    const host = await startHost();
    const other = await open(host.port);
    const s = await other.clone();
    const raw = await openRaw(host.port);
    raw.write('d2:op4:eval4:code?e'); // "?" starts no bencode value
    await expectErrorOrClose(raw, 'malformed bencode');
    const r = await other.eval('1 + 1', { session: s });
    expect(r.values, 'another connection must keep working after a malformed frame').toEqual(['2']);
    const again = await open(host.port);
    expect((await again.eval("'fresh'")).values, 'new connections must still be accepted').toEqual(["'fresh'"]);
    expect(alive(host), 'the app must survive a malformed frame').toBe(true);
  });

  it('an HTTP request (first byte not "d") gets an error response or a close, never a hang', async () => {
    const host = await startHost();
    const raw = await openRaw(host.port);
    raw.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await expectErrorOrClose(raw, 'an HTTP request on the nREPL port');
    const c = await open(host.port);
    expect((await c.eval('2 + 2')).values, 'the server must keep serving after an HTTP request').toEqual(['4']);
    expect(alive(host)).toBe(true);
  });

  it('a top-level list instead of a dict gets an error response or a close', async () => {
    const host = await startHost();
    const raw = await openRaw(host.port);
    raw.write('l2:op4:evale');
    await expectErrorOrClose(raw, 'a bencode list as a message');
    const c = await open(host.port);
    expect((await c.eval('3 + 3')).values).toEqual(['6']);
  });

  it('refuses a message larger than max-message-bytes and accepts one under it', async () => {
    const host = await startHost({ env: { NREPL_SERVER_NREPL: '{:port 0 :accept nrepl-ts/nrepl :max-message-bytes 1000}' } });
    const ok = await open(host.port);
    const small = await ok.eval(`'${'a'.repeat(800)}'.length`);
    expect(small.values, 'a ~850-byte message is under the 1000-byte limit and must be evaluated').toEqual(['800']);
    const raw = await openRaw(host.port);
    raw.write(frame({ op: 'eval', id: 'too-big', code: `'${'b'.repeat(2000)}'.length` }));
    await expectErrorOrClose(raw, 'a 2 KB message with :max-message-bytes 1000');
    expect(raw.messages.some((m) => m.value === '2000'), 'the oversized message must not be evaluated').toBe(false);
    expect((await ok.eval('5 + 5')).values, 'other connections keep working after an oversized message').toEqual(['10']);
    expect(alive(host)).toBe(true);
  });
});

describe('many clients', () => {
  it('a client that disconnects mid-eval does not affect others or the app', async () => {
    const host = await startHost();
    const other = await open(host.port);
    const raw = await openRaw(host.port);
    raw.write(frame({ op: 'eval', id: 'vanish', code: "await new Promise((r) => setTimeout(r, 300)); console.log('to a closed socket'); 'gone'" }));
    await sleep(50);
    raw.socket.destroy();
    expect((await other.eval('7 * 6')).values, 'eval on another connection while the vanished eval is pending').toEqual(['42']);
    await sleep(600); // the vanished eval has finished and tried to write
    expect((await other.eval('8 * 6')).values, 'eval on another connection after the vanished eval finished').toEqual(['48']);
    const raw2 = await openRaw(host.port);
    raw2.write(frame({ op: 'eval', id: 'vanish-sync', code: 'const t0 = Date.now(); while (Date.now() - t0 < 300) {} 1' }));
    await sleep(50);
    raw2.socket.destroy();
    expect((await other.eval("'still here'")).values, 'eval after a client vanished during a synchronous eval').toEqual(["'still here'"]);
    expect(alive(host)).toBe(true);
  });

  it('two clients evaluating at once never get each other\'s output', async () => {
    const host = await startHost();
    const a = await open(host.port);
    const b = await open(host.port);
    const [sa, sb] = [await a.clone(), await b.clone()];
    const code = (tag: string) =>
      `for (let i = 0; i < 20; i++) { console.log('${tag}' + i); process.stderr.write('${tag}-err' + i + '\\n'); await new Promise((r) => setTimeout(r, 5)); } '${tag} finished'`;
    const [ra, rb] = await Promise.all([track(a.eval(code('A'), { session: sa })), track(b.eval(code('B'), { session: sb }))]);
    const lines = (tag: string, suffix = '') => Array.from({ length: 20 }, (_, i) => `${tag}${suffix}${i}`).join('\n') + '\n';
    expect(ra.out, 'client A must get exactly its own out, in order').toBe(lines('A'));
    expect(rb.out, 'client B must get exactly its own out, in order').toBe(lines('B'));
    expect(ra.err, 'client A must get exactly its own err').toBe(lines('A', '-err'));
    expect(rb.err, 'client B must get exactly its own err').toBe(lines('B', '-err'));
    expect(ra.values).toEqual(["'A finished'"]);
    expect(rb.values).toEqual(["'B finished'"]);
    expect(show(a.inbox.messages), 'client A must receive nothing untracked').not.toMatch(/B\d/);
    expect(show(b.inbox.messages), 'client B must receive nothing untracked').not.toMatch(/A\d/);
  });

  it('answers pipelined requests on one connection, routing each response by id', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const slow = track(c.eval("await new Promise((r) => setTimeout(r, 400)); 'slow'"));
    const fast = track(c.describe());
    const d = await fast;
    expect(typeof d.ops, 'describe sent after a slow eval on the same connection').toBe('object');
    expect((await slow).values).toEqual(["'slow'"]);
  });
});
