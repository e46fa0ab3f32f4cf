// Conformance, eval and load-file (spec §2.1, §2.2, issue 3 "eval"): JS in
// the host's global context, the value of the last statement printed with
// util.inspect, {value, ns} then {done}, out/err routed to the eval that
// produced them (also after done), per-session history, and
// forward-system-output for the host's own output.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
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
  track,
} from './harness';

describe('values', () => {
  it('1+1 answers {value "2", ns "user"} in one message, then {status [done]} without ns', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const s = await c.clone();
    const responses = await c.request({ op: 'eval', id: 'v-1', session: s, code: '1+1' });
    expectEchoes(responses, 'v-1', s, 'eval 1+1');
    const withValue = responses.filter((r) => r.value !== undefined);
    expect(withValue.length, `one value message: ${show(responses)}`).toBe(1);
    expect(withValue[0]!.value).toBe('2');
    expect(withValue[0]!.ns, 'the value message carries ns').toBe('user');
    expect(responses.filter((r) => r.ns !== undefined).length, `ns appears once per request (CIDER concatenates repeats): ${show(responses)}`).toBe(1);
    const done = responses.find((r) => hasStatus(r, 'done'))!;
    expect(done.ns, 'the done message must not repeat ns').toBeUndefined();
    expect(done.value, 'the done message must not carry value').toBeUndefined();
    expect(done.status, 'a successful eval ends with status [done]').toEqual(['done']);
    await expectSingleDone(c, 'v-1', responses);
  });

  it.each([
    ["'a'", "'a'"],
    ['undefined', 'undefined'],
    ['null', 'null'],
    ['({ a: 1, b: [1, 2] })', '{ a: 1, b: [ 1, 2 ] }'],
    ['[1, "two", 3n]', "[ 1, 'two', 3n ]"],
    ['const z = 40; z + 2', '42'],
  ])('prints the last statement of %s with util.inspect as %s', async (code, printed) => {
    const host = await startHost();
    const c = await open(host.port);
    const r = await c.eval(code);
    expect(r.values, `value of ${code}`).toEqual([printed]);
    expectStatuses(r.status, ['done'], code);
  });

  it('echoes the request ns, defaults to "user", and never fails on an unknown ns', async () => {
    const host = await startHost();
    const c = await open(host.port);
    expect((await c.eval('1')).ns, 'default ns').toBe('user');
    expect((await c.eval('1', { ns: 'user' })).ns, 'ns "user" as rep sends it').toBe('user');
    const other = await c.eval('1', { ns: 'my.app.core' });
    expect(other.ns, 'an unknown ns is a label: echoed').toBe('my.app.core');
    expect(other.values).toEqual(['1']);
    expect(other.status, 'an unknown ns must not be namespace-not-found for JS').not.toContain('namespace-not-found');
  });

  it('evaluates in the host global context: sees the app’s globals and the app sees its changes', async () => {
    const host = await startHttpHost();
    const c = await open(host.port);
    expect((await c.eval("typeof require('node:http').createServer")).values).toEqual(["'function'"]);
    await c.eval("globalThis.fixtureGreeting = 'hello from eval'");
    expect(await httpGet(host.httpPort), 'the app reads a global set by an eval').toMatch(/^hello from eval /);
    const host2 = await startHost(); // long-running.cjs sets globalThis.appGlobal
    const c2 = await open(host2.port);
    expect((await c2.eval('appGlobal')).values, 'an eval reads a global set by the app').toEqual(["'from-the-app'"]);
  });

  it('supports top-level await', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const r = await c.eval('await new Promise((r) => setTimeout(() => r(40 + 2), 20))');
    expect(r.values).toEqual(['42']);
  });

  it('keeps let/const/class/function declarations across evals and allows re-declaring them', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const s = await c.clone();
    const ev = async (code: string) => {
      const r = await c.eval(code, { session: s });
      expect(r.status, `${code} must not be an eval error; err: ${r.err}`).not.toContain('eval-error');
      return r.values;
    };
    await ev('let counter = 1');
    expect(await ev('counter + 1'), 'let persists').toEqual(['2']);
    await ev('let counter = 5');
    expect(await ev('counter'), 'let may be re-declared').toEqual(['5']);
    await ev('const limit = 3');
    await ev('const limit = 4');
    expect(await ev('limit'), 'const may be re-declared').toEqual(['4']);
    await ev('class Point { constructor(x) { this.x = x } }');
    expect(await ev('new Point(1).x'), 'class persists').toEqual(['1']);
    await ev('class Point { constructor(x) { this.x = x * 10 } }');
    expect(await ev('new Point(1).x'), 'class may be re-declared').toEqual(['10']);
    await ev('function twice(x) { return x * 2 }');
    expect(await ev('twice(21)'), 'function persists').toEqual(['42']);
    await ev('const awaited = await Promise.resolve(7)');
    expect(await ev('awaited'), 'a declaration with top-level await persists').toEqual(['7']);
  });

  it('resolves require and import() relative to the working directory by default', async () => {
    const host = await startHost();
    writeFileSync(join(host.cwd, 'helper.js'), 'module.exports = { answer: 42 };\n');
    writeFileSync(join(host.cwd, 'helper.mjs'), 'export const answer = 43;\n');
    const c = await open(host.port);
    const req = await c.eval("require('./helper.js').answer");
    expect(req.values, `require('./helper.js') from ${host.cwd}; err: ${req.err}`).toEqual(['42']);
    const imp = await c.eval("(await import('./helper.mjs')).answer");
    expect(imp.values, `import('./helper.mjs') from ${host.cwd}; err: ${imp.err}`).toEqual(['43']);
  });

  it('uses file and line for stack traces', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const r = await c.eval("new Error('where').stack", { file: '/tmp/editor/app.js', line: 10, column: 1 });
    expect(r.values.join(''), 'a stack trace of code sent with file /tmp/editor/app.js, line 10').toContain('/tmp/editor/app.js:10');
  });
});

describe('history', () => {
  it('keeps $1 $2 $3 (last three values) and $e (last error) per session', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const [s1, s2] = [await c.clone(), await c.clone()];
    for (const v of ['10', '20', '30']) await c.eval(v, { session: s1 });
    expect((await c.eval('[$1, $2, $3]', { session: s1 })).values, '$1 $2 $3 after 10, 20, 30').toEqual(['[ 30, 20, 10 ]']);
    await c.eval("throw new RangeError('remember me')", { session: s1 });
    expect((await c.eval('$e instanceof RangeError && $e.message', { session: s1 })).values, '$e after an error').toEqual(["'remember me'"]);
    await c.eval("'s1-last'", { session: s1 });
    await c.eval("'s2-last'", { session: s2 });
    expect((await c.eval('$1', { session: s1 })).values, 'history of session 1').toEqual(["'s1-last'"]);
    expect((await c.eval('$1', { session: s2 })).values, 'history of session 2 is its own').toEqual(["'s2-last'"]);
  });
});

describe('output', () => {
  it('sends console.* and process.stdout/stderr.write as out/err tagged with id and session, not to the host stdout', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const s = await c.clone();
    const code = "console.log('hi-out'); process.stdout.write('raw-out\\n'); console.error('hi-err'); process.stderr.write('raw-err\\n'); 42";
    const responses = await c.request({ op: 'eval', id: 'out-1', session: s, code });
    expectEchoes(responses, 'out-1', s, 'eval with output');
    const out = responses.map((r) => r.out ?? '').join('');
    const err = responses.map((r) => r.err ?? '').join('');
    expect(out, 'out').toBe('hi-out\nraw-out\n');
    expect(err, 'err').toBe('hi-err\nraw-err\n');
    const valueAt = responses.findIndex((r) => r.value !== undefined);
    const lastOutAt = responses.map((r) => r.out !== undefined || r.err !== undefined).lastIndexOf(true);
    expect(lastOutAt, `output written before the value must arrive before it: ${show(responses)}`).toBeLessThan(valueAt);
    await sleep(200);
    expect(host.child.stdout(), 'eval output must not reach the host stdout').not.toMatch(/hi-out|raw-out/);
    expect(host.child.stderr(), 'eval output must not reach the host stderr').not.toMatch(/hi-err|raw-err/);
  });

  it('routes output of a timer started by the eval to that eval’s id and session after done', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const s = await c.clone();
    const responses = await c.request({
      op: 'eval',
      id: 'later-1',
      session: s,
      code: "setTimeout(() => { console.log('later-out'); console.error('later-err') }, 300); 'scheduled'",
    });
    expect(responses.map((r) => r.value).filter(Boolean)).toEqual(["'scheduled'"]);
    const out = await c.inbox.waitFor((r) => typeof r.out === 'string' && r.out.includes('later-out'), 'out "later-out" after done');
    expect(out.id, 'late out must carry the id of the eval that started the timer').toBe('later-1');
    expect(out.session, 'late out must carry the session of that eval').toBe(s);
    const err = await c.inbox.waitFor((r) => typeof r.err === 'string' && r.err.includes('later-err'), 'err "later-err" after done');
    expect(err.id).toBe('later-1');
    expect(host.child.stdout(), 'late eval output must not reach the host stdout').not.toContain('later-out');
    expect(c.inbox.withId('later-1').filter((r) => hasStatus(r, 'done')), 'late output must not come with another done').toEqual([]);
  });

  it('keeps output of two sessions on one connection apart', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const [s1, s2] = [await c.clone(), await c.clone()];
    const code = (tag: string) => `for (let i = 0; i < 10; i++) { console.log('${tag}' + i); await new Promise((r) => setTimeout(r, 7)); } 0`;
    const [r1, r2] = await Promise.all([track(c.eval(code('X'), { session: s1 })), track(c.eval(code('Y'), { session: s2 }))]);
    expect(r1.out, 'session 1 output').toBe(Array.from({ length: 10 }, (_, i) => `X${i}\n`).join(''));
    expect(r2.out, 'session 2 output').toBe(Array.from({ length: 10 }, (_, i) => `Y${i}\n`).join(''));
  });

  it('streams output as it is written, not at the end of the eval', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const other = await c.clone();
    // The eval prints, then waits for an event that the test sends only once "early" has
    // arrived: done cannot come before it, and if "early" were held back until done, the
    // eval would never end and the request would time out.
    let released: Promise<unknown> | undefined;
    const responses = await c.message({ op: 'eval', code: "console.log('early'); await new Promise((r) => process.once('nrepl-test-release', r)); 'end'" }, (r) => {
      if (typeof r.out === 'string' && r.out.includes('early')) released ??= c.eval("process.emit('nrepl-test-release')", { session: other });
    });
    expect(responses.filter((r) => hasStatus(r, 'done'))).toHaveLength(1);
    await released;
  });

  it('leaves the host’s own output alone and out of eval output', async () => {
    const host = await startHttpHost({ FIXTURE_TICK_MS: '50' });
    const c = await open(host.port);
    await host.child.waitFor(/host tick 1\n/, { from: 'stdout' });
    const ticksBefore = (host.child.stdout().match(/host tick/g) ?? []).length;
    const r = await c.eval("await new Promise((r) => setTimeout(r, 500)); 'waited'");
    expect(r.out + r.err, 'host output during an eval must not be attributed to the eval').not.toMatch(/host (tick|warn)/);
    await sleep(200);
    const ticksAfter = (host.child.stdout().match(/host tick/g) ?? []).length;
    expect(ticksAfter - ticksBefore, 'the host stdout keeps receiving the host’s own output').toBeGreaterThanOrEqual(5);
    expect(c.inbox.messages.filter((m) => /host tick/.test(String(m.out ?? ''))), 'no host output without forward-system-output').toEqual([]);
  });

  it('forward-system-output: afterwards the host’s output arrives as {id, out|err, source "system"}', async () => {
    const host = await startHttpHost({ FIXTURE_TICK_MS: '100' });
    const c = await open(host.port);
    const s = await c.clone();
    const responses = await c.request({ op: 'forward-system-output', id: 'fso-1', session: s });
    expectStatuses(statuses(responses), ['done'], 'forward-system-output');
    expect(statuses(responses), 'forward-system-output is supported').not.toContain('unknown-op');
    const out = await c.inbox.waitFor((r) => r.id === 'fso-1' && typeof r.out === 'string' && r.out.includes('host tick'), 'host stdout forwarded on id fso-1');
    expect(out.source, 'forwarded host stdout is tagged source "system"').toBe('system');
    const err = await c.inbox.waitFor((r) => r.id === 'fso-1' && typeof r.err === 'string' && r.err.includes('host warn'), 'host stderr forwarded on id fso-1');
    expect(err.source, 'forwarded host stderr is tagged source "system"').toBe('system');
    const e = await c.eval("console.log('mine'); 1", { session: s });
    expect(e.out, 'eval output still goes to the eval').toContain('mine');
    await sleep(150);
    expect(c.inbox.withId('fso-1').filter((m) => String(m.out ?? '').includes('mine')), 'eval output is not forwarded as system output').toEqual([]);
  });
});

describe('load-file', () => {
  it('evaluates the file contents and answers only the last value, without ns', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const s = await c.clone();
    const contents = "const lf = 40;\nconsole.log('loading');\nfunction lfPlus(x) { return lf + x }\nlfPlus(2)\n";
    const responses = await c.request({ op: 'load-file', id: 'lf-1', session: s, file: contents, 'file-path': '/tmp/editor/lf.js', 'file-name': 'lf.js' });
    expectEchoes(responses, 'lf-1', s, 'load-file');
    expect(responses.map((r) => r.value).filter((v) => v !== undefined), 'load-file answers only the last statement’s value').toEqual(['42']);
    expect(responses.filter((r) => r.ns !== undefined), `load-file responses carry no ns: ${show(responses)}`).toEqual([]);
    expect(responses.map((r) => r.out ?? '').join(''), 'output of load-file').toBe('loading\n');
    expectStatuses(statuses(responses), ['done'], 'load-file');
    await expectSingleDone(c, 'lf-1', responses);
    expect((await c.eval('lfPlus(10)', { session: s })).values, 'declarations of a loaded file persist').toEqual(['50']);
  });

  it('reports errors like eval: err, then ex/root-ex with eval-error, then done', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const r = await c.loadFile("console.log('before');\nthrow new TypeError('load boom');\n", { 'file-path': '/tmp/editor/bad.js' });
    expect(r.out).toBe('before\n');
    expect(r.err, 'err text of a load-file error').toMatch(/^Uncaught [\s\S]*load boom/);
    expect(r.ex).toBe('TypeError');
    expectStatuses(r.status, ['eval-error', 'done'], 'load-file that throws');
    const syntax = await c.loadFile('let = ;');
    expectStatuses(syntax.status, ['eval-error', 'done'], 'load-file with a syntax error');
    expect(syntax.ex).toBe('SyntaxError');
  });
});
