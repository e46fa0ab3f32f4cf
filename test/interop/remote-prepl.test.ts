// Interop: Clojure's own clojure.core.server/remote-prepl (Debian clojure 1.11)
// drives nrepl-ts/prepl. remote-prepl reads every message with `read` and every
// :ret/:tap :val with `read-string`, so anything we print that Clojure cannot
// read fails here (exit 3, or :phase :read-eval-result in the message).
import fc from 'fast-check';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPS, spawnWithAgent, waitForServerPort } from '../helpers/agent';
import { parseJsonLines, requireClojure, runClojure } from '../helpers/clojure';

type Msg = Record<string, unknown>;

async function startPrepl() {
  const child = spawnWithAgent({ app: join(APPS, 'prepl-app.cjs'), cwd: APPS, env: { NREPL_SERVER_P: '{:port 0 :accept nrepl-ts/prepl}' } });
  await child.waitFor(/app ready/, { from: 'stdout' });
  return { child, port: await waitForServerPort(child, 'p') };
}

/** Runs remote-prepl.clj --json with one --code per form; resolves with its messages (it stops after one :ret per form). */
async function remotePrepl(port: number, codes: string[]): Promise<{ messages: Msg[]; rets: Msg[] }> {
  const args = ['127.0.0.1', String(port), String(codes.length), '--timeout-ms', '20000', '--json', ...codes.flatMap((c) => ['--code', c])];
  const result = await runClojure('remote-prepl.clj', args, { timeoutMs: 90_000 });
  expect(result.code, `${result.command}\n${result.stderr}\n${result.stdout}`).toBe(0);
  const messages = parseJsonLines(result.stdout);
  expect(messages.filter((m) => 'raw' in m), 'every line is a message').toEqual([]);
  const rets = messages.filter((m) => m.tag === 'ret');
  expect(rets).toHaveLength(codes.length);
  for (const r of rets) expect(r.phase, `${String(r.valRaw)} did not read back: ${JSON.stringify(r.val)}`).not.toBe(':read-eval-result');
  return { messages, rets };
}

describe('clojure.core.server/remote-prepl against nrepl-ts/prepl', () => {
  it('sends JS and gets :ret maps whose :val read-string turns into real data', async () => {
    requireClojure();
    const { child, port } = await startPrepl();
    const forms: Array<[string, string | null, unknown]> = [
      // [code, Java class of the value read back, the value as remote-prepl.clj --json shows it]
      ['({a: 1, "b c": [1, 2.5, null, true], m: new Map([[1, "x"]])})', 'clojure.lang.PersistentArrayMap', { a: 1, '"b c"': [1, 2.5, null, true], m: { '1': 'x' } }],
      ['[1, "two", [3]]', 'clojure.lang.PersistentVector', [1, 'two', [3]]],
      // every key the printer makes a keyword reads back as that keyword
      [
        '({"$a": 1, "%b": 2, "&c": 3, "=d": 4, "<e>": 5, "f.g": 6, "h+i": 7, "j-k": 8, "_": 9, "*x*": 10, "?": 11, "nil": 12, "a.": 13})',
        'clojure.lang.PersistentHashMap',
        { $a: 1, '%b': 2, '&c': 3, '=d': 4, '<e>': 5, 'f.g': 6, 'h+i': 7, 'j-k': 8, _: 9, '*x*': 10, '?': 11, nil: 12, 'a.': 13 },
      ],
      ['new Set(["a"])', 'clojure.lang.PersistentHashSet', ['a']],
      ['new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6))', 'java.util.Date', '#inst "2024-01-02T03:04:05.006-00:00"'],
      ['2n ** 70n', 'clojure.lang.BigInt', '1180591620717411303424N'],
      ['40 + 2', 'java.lang.Long', 42],
      ['2 ** 64', 'java.lang.Double', 18446744073709552000],
      ['[NaN, Infinity, -Infinity, -0]', 'clojure.lang.PersistentVector', ['##NaN', '##Inf', '##-Inf', -0]],
      ['"é 😀 \\"q\\" \\\\ \\n\\t\\u2028"', 'java.lang.String', 'é 😀 "q" \\ \n\t\u2028'],
      ['undefined', null, null],
      ['true', 'java.lang.Boolean', true],
      ['/a"b\\d+/i', 'java.util.regex.Pattern', '#"(?i)a\\"b\\d+"'],
      ['(function named() {})', 'java.lang.String', '[Function: named]'],
      ['new (class Point { x = 1 })()', 'java.lang.String', 'Point { x: 1 }'],
      ['(() => { const o = {k: 1}; o.self = o; return o })()', 'clojure.lang.PersistentArrayMap', { k: 1, self: '[Circular]' }],
      ['new Set([1, 1n])', 'clojure.lang.PersistentVector', [1, '1N']],
    ];
    const { rets } = await remotePrepl(
      port,
      forms.map(([code]) => code),
    );
    forms.forEach(([code, type, val], i) => {
      expect(rets[i].form, code).toBe(code);
      expect(rets[i].valType ?? null, code).toBe(type);
      expect(rets[i].val, code).toEqual(val);
      expect(rets[i].exception, code).toBeUndefined();
      expect(rets[i].ns).toBe('user');
      expect(typeof rets[i].ms).toBe('number');
    });
    expect(child.proc.exitCode).toBeNull();
  });

  it('exceptions (thrown, returned, syntax) read back as Throwable->map data; taps and output arrive too', async () => {
    requireClojure();
    const { port } = await startPrepl();
    const { messages, rets } = await remotePrepl(port, [
      'null.x',
      ')(',
      'new Error("returned", { cause: new TypeError("inner") })',
      'tap({t: [1, 2]}); console.log("printed"); "done"',
    ]);
    const [thrown, syntax, returned, done] = rets;
    expect(thrown.exception).toBe(true);
    expect(thrown.ms).toBeUndefined();
    expect(thrown.val).toMatchObject({
      via: [{ type: 'TypeError', message: "Cannot read properties of null (reading 'x')" }],
      cause: "Cannot read properties of null (reading 'x')",
      phase: ':execution',
    });
    expect((thrown.val as { trace: unknown[] }).trace.length).toBeGreaterThan(0);
    expect(syntax).toMatchObject({ exception: true, val: { phase: ':read-source', via: [{ type: 'SyntaxError', data: { 'clojure.error/line': 1 } }] } });
    expect(syntax.form).toBeUndefined();
    expect(returned.exception).toBeUndefined();
    expect(returned.valType).toBe('clojure.lang.PersistentArrayMap');
    expect(returned.val).toMatchObject({ via: [{ type: 'Error', message: 'returned' }, { type: 'TypeError', message: 'inner' }], cause: 'inner' });
    expect(done.val).toBe('done');
    const tail = messages.slice(messages.indexOf(returned) + 1);
    expect(tail.map((m) => m.tag)).toEqual(['tap', 'out', 'ret']);
    expect(tail[0]).toMatchObject({ val: { t: [1, 2] }, valType: 'clojure.lang.PersistentArrayMap' });
    expect(tail[1]).toMatchObject({ val: 'printed\n' });
  });

  it('round trip: generated JSON-like data printed as EDN reads back equal in Clojure', async () => {
    requireClojure();
    const { port } = await startPrepl();
    const key = fc.stringMatching(/^[a-z][a-zA-Z0-9_]{0,8}$/);
    const number = fc.oneof(fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }), fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)));
    const leaf = fc.oneof(number, fc.string({ unit: 'grapheme', maxLength: 12 }), fc.boolean(), fc.constant(null));
    const tree = fc.letrec<{ value: unknown }>((tie) => ({
      value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(key, tie('value'), { maxKeys: 4 })),
    })).value;
    const values = fc.sample(tree, { seed: 4242, numRuns: 40 });
    const { rets } = await remotePrepl(
      port,
      values.map((v) => `(${JSON.stringify(v)})`),
    );
    values.forEach((v, i) => expect(rets[i].val, `${rets[i].form} printed as ${String(rets[i].valRaw)}`).toEqual(v));
  });
});
