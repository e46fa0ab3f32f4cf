// Editors, zero noise (issue 11): a CIDER-style conversation — the bootstrap
// snippets CIDER, Calva, Conjure and vim-fireplace send, with the printer
// names they send — gets no `err`, no eval-error and no print error, in a
// CommonJS HTTP app, an ESM app and a tsx app. Syntax errors have one shape
// and printed stacks show no frame of the agent's, through nREPL and the plain REPL.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PPRINT_NAMES } from '../../src/shared/print/print';
import { APPS, ROOT, spawnWithAgent, tempDir, waitForServerPort } from '../helpers/agent';
import { connectText } from '../helpers/text-client';
import { hasStatus, open, show, startHost, type Conn, type Response } from './harness';

const P = 'nrepl.middleware.print';

const APPS_UNDER_TEST = [
  { name: 'CommonJS HTTP app', opts: { app: join(APPS, 'nrepl-http.cjs') } },
  { name: 'ESM app', opts: { app: join(APPS, 'long-running.mjs') } },
  { name: 'tsx app', opts: { app: join(APPS, 'long-running.ts'), nodeArgs: ['--import', 'tsx'], cwd: ROOT } },
];

/** What CIDER sends with every eval (cider-client.el: print fn, options, quota, streaming). */
const CIDER_PRINT = {
  [`${P}/print`]: 'cider.nrepl.pprint/clojure-pprint',
  [`${P}/options`]: { 'right-margin': 80 },
  [`${P}/quota`]: 1048576,
  [`${P}/stream?`]: '1',
  [`${P}/buffer-size`]: 4096,
};

const SNIPPETS = [
  "(when-let [requires (resolve 'clojure.main/repl-requires)]\n  (clojure.core/apply clojure.core/require @requires))",
  "(in-ns 'user)",
  "(require 'clojure.stacktrace)",
  '(clojure.stacktrace/print-cause-trace *e)',
  '(println (ex-data *e))',
  "#?(:clj 'clj :cljs 'cljs :cljr 'cljr :default 'unknown)",
  "(create-ns 'conjure.internal)\n(intern 'conjure.internal 'initial-ns (symbol (str *ns*)))\n(ns conjure.internal)",
];

function expectQuiet(responses: Response[], what: string): void {
  const noisy = responses.filter((r) => r.err !== undefined || hasStatus(r, 'eval-error') || hasStatus(r, `${P}/error`));
  expect(noisy, `${what}: expected no err, eval-error or print error: ${show(responses)}`).toEqual([]);
}

const values = (responses: Response[]) => responses.filter((r) => r.value !== undefined).map((r) => r.value).join('');

async function conversation(c: Conn): Promise<void> {
  const session = await c.clone();
  await c.request({ op: 'describe', session });
  for (const code of SNIPPETS) {
    const responses = await c.request({ op: 'eval', session, ns: 'user', code, ...CIDER_PRINT });
    expectQuiet(responses, code);
    expect(values(responses), code).toBe('nil');
    expect(responses.some((r) => r.ns === 'user'), `${code}: the session's ns: ${show(responses)}`).toBe(true);
  }
  const ns = await c.request({ op: 'eval', session, code: '*ns*', ns: 'user' });
  expectQuiet(ns, '*ns*');
  expect(values(ns)).toBe('user');

  for (const printer of [...PPRINT_NAMES, 'cider.nrepl.pprint/pr', 'clojure.core/prn', 'clojure.core/pr']) {
    const responses = await c.request({ op: 'eval', session, code: '[1, 2, 3]', ...CIDER_PRINT, [`${P}/print`]: printer });
    expectQuiet(responses, printer);
    expect(values(responses), printer).toBe('[ 1, 2, 3 ]');
  }
  // After an error CIDER asks for the stack trace: the error shows once, the follow-ups are quiet.
  const failed = await c.request({ op: 'eval', session, code: 'null.x', ...CIDER_PRINT });
  expect(failed.some((r) => hasStatus(r, 'eval-error'))).toBe(true);
  for (const code of ["(require 'clojure.stacktrace)", '(clojure.stacktrace/print-cause-trace *e)']) {
    expectQuiet(await c.request({ op: 'eval', session, code, ...CIDER_PRINT }), code);
  }
}

/** `Uncaught <file>:<line>`, the source line, a caret line, a blank line, `SyntaxError: …`. */
const ONE_SHAPE = /^Uncaught \S+:1\n.*\n *\^+ *\n\nSyntaxError: .+\n$/;
const INTERNAL = /dist\/|src\/eval|host-calls|agent\/host|node:vm|node:repl|node:domain|runInThisContext/;

describe.each(APPS_UNDER_TEST)('$name', ({ opts }) => {
  it('a CIDER-style conversation gets no err and no print error', async () => {
    const host = await startHost(opts);
    await conversation(await open(host.port));
  });

  it("syntax errors have one shape whichever parser finds them, and stacks show only the user's frames", async () => {
    const host = await startHost(opts);
    const c = await open(host.port);
    const errOf = async (code: string) => (await c.request({ op: 'eval', code })).map((r) => r.err ?? '').join('');
    // `const` goes through the worker's parser; `foo bar` reaches V8 on the main thread.
    const worker = await errOf('const x: number = 1 +');
    const v8 = await errOf('foo bar');
    expect(worker).toMatch(ONE_SHAPE);
    expect(v8).toMatch(ONE_SHAPE);
    expect(v8).toContain("foo bar\n    ^^^\n\nSyntaxError: Unexpected identifier 'bar'");

    const value = values(await c.request({ op: 'eval', code: 'new Error("shown")' }));
    expect(value).toMatch(/^Error: shown\n {4}at \S+\[nrepl-eval\]:1:1$/);
    const thrown = await errOf('const e = new Error("later"); await null; throw e');
    expect(thrown).toMatch(/^Uncaught Error: later\n {4}at /);
    expect(thrown).not.toMatch(INTERNAL);
  });
});

describe('plain REPL', () => {
  it('shows syntax errors in the same shape and no agent frames', async () => {
    const child = spawnWithAgent({ app: join(APPS, 'nrepl-http.cjs'), cwd: tempDir(), env: { NREPL_SERVER_REPL: '{:port 0 :accept nrepl-ts/repl}' } });
    const port = await waitForServerPort(child, 'repl');
    const t = await connectText(port);
    await t.until(/> $/);
    t.send('foo bar\n');
    const syntax = await t.until(/SyntaxError[^\n]*\n> $/);
    expect(syntax).toMatch(/Uncaught \S+:1\nfoo bar\n {4}\^\^\^\n\nSyntaxError: Unexpected identifier 'bar'\n> $/);
    t.send('new Error("shown")\n');
    const printed = await t.until(/shown[\s\S]*> $/);
    expect(printed).toMatch(/Error: shown\n {4}at \S+:1:1\n> $/);
    expect(printed).not.toMatch(INTERNAL);
    t.end();
  });
});
