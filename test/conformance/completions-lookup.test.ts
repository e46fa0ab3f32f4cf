// Conformance, completions and lookup (spec §2.1, §1.4, issue 3 "completions
// and lookup"): candidates from globals, session declarations and property
// chains, each with candidate and type; lookup returns an info dict, empty
// for an unknown symbol; both accept the keys real clients send.
import { describe, expect, it } from 'vitest';
import type { BDict } from '../../src/shared/bencode/bencode';
import { expectSingleDone, expectStatuses, open, show, startHost, statuses, track, type Response } from './harness';

interface Candidate {
  candidate?: unknown;
  type?: unknown;
}

function candidatesOf(responses: Response[]): Candidate[] {
  const list = responses.flatMap((r) => (Array.isArray(r.completions) ? r.completions : []));
  return list as Candidate[];
}

/** The non-empty `info` dict of a lookup reply, if any. */
function mergeInfo(responses: Response[]): BDict | undefined {
  for (const r of responses) {
    const info = r.info;
    if (info && typeof info === 'object' && !Array.isArray(info) && !Buffer.isBuffer(info) && Object.keys(info).length > 0) return info;
  }
  return undefined;
}

function findCandidate(list: Candidate[], name: string): Candidate | undefined {
  return list.find((c) => c.candidate === name);
}

describe('completions', () => {
  it('"proc" offers {candidate "process", type "var"}', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const responses = await c.request({ op: 'completions', id: 'cmp-1', prefix: 'proc' });
    expectStatuses(statuses(responses), ['done'], 'completions');
    await expectSingleDone(c, 'cmp-1', responses);
    const list = candidatesOf(responses);
    expect(findCandidate(list, 'process'), `completions of "proc" must contain {candidate "process", type "var"}: ${show(responses)}`).toMatchObject({ candidate: 'process', type: 'var' });
    for (const cand of list) {
      expect(typeof cand.candidate, `every candidate is a string: ${JSON.stringify(cand)}`).toBe('string');
      expect(typeof cand.type, `every candidate has a type: ${JSON.stringify(cand)}`).toBe('string');
      expect(String(cand.candidate).startsWith('proc'), `every candidate starts with the prefix: ${JSON.stringify(cand)}`).toBe(true);
    }
  });

  it('"process.mem" offers process.memoryUsage as a function or method', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const list = candidatesOf(await c.request({ op: 'completions', prefix: 'process.mem' }));
    const hit = findCandidate(list, 'process.memoryUsage');
    expect(hit, `completions of "process.mem" must contain process.memoryUsage: ${JSON.stringify(list)}`).toBeDefined();
    expect(['function', 'method'], 'type of process.memoryUsage').toContain(hit!.type);
  });

  it('accepts symbol instead of prefix (Calva, fireplace)', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const list = candidatesOf(await c.request({ op: 'completions', symbol: 'proc' }));
    expect(findCandidate(list, 'process'), 'completions with the "symbol" key').toBeDefined();
  });

  it('offers the session’s own declarations with their kind', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const session = await c.clone();
    await c.eval('let confLetValue = 1; function confHelperFn(a) { return a } class ConfWidget {}', { session });
    const lower = candidatesOf(await c.request({ op: 'completions', prefix: 'conf', session }));
    expect(findCandidate(lower, 'confLetValue'), `a let declared by an eval is offered: ${JSON.stringify(lower)}`).toBeDefined();
    expect(findCandidate(lower, 'confHelperFn')?.type, 'a function declared by an eval has type function').toBe('function');
    const upper = candidatesOf(await c.request({ op: 'completions', prefix: 'ConfW', session }));
    expect(findCandidate(upper, 'ConfWidget')?.type, 'a class declared by an eval has type class').toBe('class');
  });

  it('answers an empty list and done when nothing matches', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const responses = await c.request({ op: 'completions', prefix: 'zzNothingStartsLikeThis' });
    expectStatuses(statuses(responses), ['done'], 'completions without match');
    expect(candidatesOf(responses)).toEqual([]);
  });

  it('is answered while an eval awaits', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const session = await c.clone();
    const other = await c.clone();
    // The eval waits for an event only the test sends, so the order below is decided by the
    // server, not by how fast this machine is.
    let settled = false;
    const pending = track(c.eval("await new Promise((r) => process.once('nrepl-test-release', r)); 'slow'", { session }).finally(() => { settled = true; }));
    const list = candidatesOf(await c.request({ op: 'completions', prefix: 'proc' }));
    expect(findCandidate(list, 'process')).toBeDefined();
    expect(settled, 'completions must not wait for the pending eval').toBe(false);
    await c.eval("process.emit('nrepl-test-release')", { session: other });
    expect((await pending).values).toEqual(["'slow'"]);
  });
});

describe('lookup', () => {
  it('JSON.stringify: an info dict with name and arglists-str', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const responses = await c.request({ op: 'lookup', id: 'lk-1', sym: 'JSON.stringify' });
    expectStatuses(statuses(responses), ['done'], 'lookup');
    await expectSingleDone(c, 'lk-1', responses);
    const info = mergeInfo(responses);
    expect(info, `lookup of JSON.stringify must answer an info dict: ${show(responses)}`).toBeDefined();
    expect(String(info!.name), 'info.name').toContain('stringify');
    expect(typeof info!['arglists-str'], `info.arglists-str is a string: ${JSON.stringify(info)}`).toBe('string');
  });

  it('a function defined by an eval with file and line: info has file and line', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const session = await c.clone();
    const code = 'function confLookupTarget(alpha, beta) {\n  return alpha + beta;\n}';
    const r = await c.eval(code, { session, file: '/tmp/editor/lookup-target.js', line: 5, column: 1 });
    expect(r.status).not.toContain('eval-error');
    const info = mergeInfo(await c.request({ op: 'lookup', sym: 'confLookupTarget', session }));
    expect(info, 'lookup of a function defined by an eval').toBeDefined();
    expect(String(info!.file), `info.file: ${JSON.stringify(info)}`).toContain('/tmp/editor/lookup-target.js');
    expect(Number(info!.line), `info.line (the eval was sent with line 5): ${JSON.stringify(info)}`).toBe(5);
    expect(String(info!['arglists-str']), 'arglists-str names the parameters').toMatch(/alpha[\s\S]*beta/);
  });

  it('accepts symbol instead of sym (Calva, fireplace)', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const info = mergeInfo(await c.request({ op: 'lookup', symbol: 'JSON.parse' }));
    expect(String(info?.name ?? ''), 'lookup with the "symbol" key').toContain('parse');
  });

  it('an unknown symbol answers an empty info and done', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const responses = await c.request({ op: 'lookup', id: 'lk-miss', sym: 'noSuchThingAnywhere.really' });
    expectStatuses(statuses(responses), ['done'], 'lookup of an unknown symbol');
    const carriers = responses.filter((r) => r.info !== undefined);
    expect(carriers.length, `the reply carries info: ${show(responses)}`).toBeGreaterThan(0);
    for (const r of carriers) {
      const info = r.info;
      const empty = (Array.isArray(info) && info.length === 0) || (typeof info === 'object' && info !== null && !Array.isArray(info) && !Buffer.isBuffer(info) && Object.keys(info).length === 0);
      expect(empty, `info of an unknown symbol is empty ({} or nil): ${JSON.stringify(info)}`).toBe(true);
    }
    await expectSingleDone(c, 'lk-miss', responses);
  });
});
