// TypeScript input (issue 11 "TypeScript"), in real tsx apps in CommonJS and
// ESM mode and in a plain-JavaScript app: typed code evaluates wherever the
// app runs TypeScript (and on request), keeps its line numbers, says clearly
// what it cannot strip, and `require`/`import()` of the app's .ts modules
// reach the app's own instances or say why they cannot.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { APPS, spawnWithAgent, waitForNreplPort, waitForServerPort } from '../helpers/agent';
import { connect } from '../../src/client/client';
import { connectText, type TextClient } from '../helpers/text-client';
import { SERVERS_ALL_KINDS, track } from '../helpers/clients';

const SERVERS = SERVERS_ALL_KINDS;


async function start(app: 'ts-cjs' | 'ts-esm' | 'js', env: Record<string, string> = SERVERS) {
  const child =
    app === 'js'
      ? spawnWithAgent({ app: join(APPS, 'long-running.cjs'), env })
      : spawnWithAgent({ cwd: join(APPS, app), app: 'app.ts', nodeArgs: ['--import', 'tsx'], env });
  await child.waitFor(/app ready/, { from: 'stdout' });
  return child;
}

async function nrepl(child: Awaited<ReturnType<typeof start>>) {
  const client = await connect({ port: await waitForNreplPort(child) }, { timeoutMs: 20_000 });
  track(client);
  return client;
}

async function text(port: number, prompt: RegExp): Promise<TextClient> {
  const c = await connectText(port);
  track(c);
  await c.until(prompt);
  return c;
}

describe('in a tsx app (CommonJS mode)', () => {
  it('evaluates typed code through nREPL, keeping the typed line in stack traces', async () => {
    const c = await nrepl(await start('ts-cjs'));
    expect((await c.eval('const n: number = 20; (n as number) + 1')).values).toEqual(['21']);
    expect((await c.eval('interface P { x: number }\nconst dbl = <T,>(v: T): T[] => [v, v];\ndbl<P>({ x: 1 })')).values).toEqual(['[ { x: 1 }, { x: 1 } ]']);
    expect((await c.eval('{a: 1, b: 2 as number}')).values).toEqual(['{ a: 1, b: 2 }']);
    const thrown = await c.eval('type T = string;\n\n  throw new Error("typed" as T)', { file: '/tmp/typed.ts' });
    expect(thrown.err).toContain('/tmp/typed.ts:3:9');
  });

  it('says what to write instead of an enum or a namespace', async () => {
    const c = await nrepl(await start('ts-cjs'));
    const r = await c.eval('const a = 1;\nenum Color { Red }');
    expect(r.ex).toBe('SyntaxError');
    // The one syntax-error shape (file:line, the line, a caret), with the message that says what to write instead.
    expect(r.err).toMatch(/^Uncaught \S+\[nrepl-eval\]:2\nenum Color \{ Red \}\n\^\n\nSyntaxError: TypeScript 'enum' is not supported: .*use an object.*\n$/);
    expect((await c.eval('namespace N { export const a = 1 }')).err).toContain("TypeScript 'namespace' is not supported");
  });

  it("require() of the app's .ts module is the app's own instance", async () => {
    const c = await nrepl(await start('ts-cjs'));
    expect((await c.eval("require('./src/store.ts').todos.length")).values).toEqual(['2']);
    expect((await c.eval("require('./src/store').add('third' as string)")).values).toEqual(['3']);
    expect((await c.eval("require('./src/store.ts').todos.map((t: { title: string }) => t.title)")).values).toEqual(["[ 'first', 'second', 'third' ]"]);
  });

  it('takes typed code in the plain REPL and the prepl too', async () => {
    const child = await start('ts-cjs');
    const repl = await text(await waitForServerPort(child, 'r'), /> $/);
    repl.send('const r: number = 5; r * 2\n');
    expect(await repl.until(/> $/)).toContain('10');
    // A typed form over several lines is one form, read after stripping.
    repl.send('function twice(a: number): number {\n  return a * 2;\n}\ntwice(r)\n');
    expect(await repl.until(/10\n> $/)).not.toContain('SyntaxError');
    const prepl = await text(await waitForServerPort(child, 'p'), /^/);
    prepl.send('const p: string = "typed"; p.length\n');
    expect(await prepl.until(/"tag":"ret".*\n/)).toMatch(/"val":"5"/);
  });
});

describe('in a tsx app (ESM mode)', () => {
  it("import() and static import reach the app's own instance; require() says it cannot", async () => {
    const c = await nrepl(await start('ts-esm'));
    expect((await c.eval("(await import('./src/store.ts')).todos.length")).values).toEqual(['2']);
    expect((await c.eval("import { todos, type Todo } from './src/store.ts'; todos.map((t: Todo) => t.title)")).values).toEqual(["[ 'first', 'second' ]"]);
    const r = await c.eval("require('./src/store.ts').todos.length");
    expect(r.ex).toBe('Error');
    expect(r.err).toMatch(/require\('\.\/src\/store\.ts'\) would load a second copy of .*store\.ts: the app loads it as an ES module/);
    expect(r.err).toContain("await import('./src/store.ts')");
    // The guard's own frames are not in the stack: the user's line is the first.
    expect(r.err).toMatch(/\n {4}at .*\[nrepl-eval\]:1:1\n$/);
  });
});

describe('in a plain JavaScript app', () => {
  it('keeps JavaScript: types are a SyntaxError and a < b > (c) is a comparison', async () => {
    const c = await nrepl(await start('js'));
    expect((await c.eval('const jx: number = 1')).ex).toBe('SyntaxError');
    expect((await c.eval('var a = 1, b = 2, c = 0; a < b > (c)')).values).toEqual(['true']);
  });

  it('strips types on request, for a .ts file and for a .ts load-file', async () => {
    const c = await nrepl(await start('js'));
    expect((await c.eval('const k: number = 3; k', { 'nrepl-ts/language': 'typescript' })).values).toEqual(['3']);
    expect((await c.eval('let q: string = "f"; q', { file: '/app/src/q.ts' })).values).toEqual(["'f'"]);
    const loaded = await c.loadFile('export {};\nconst l: number = 4;\nl * 2', { 'file-path': '/app/src/l.mts' });
    expect(loaded.err).toContain("'export' is not supported");
    expect((await c.loadFile('const l: number = 4;\nl * 2', { 'file-path': '/app/src/l.ts' })).values).toEqual(['8']);
  });

  it('strips types on every eval of a server started with :typescript', async () => {
    const child = await start('js', { NREPL_SERVER_R: '{:port 0 :accept nrepl-ts/repl :args [:typescript]}' });
    const repl = await text(await waitForServerPort(child, 'r'), /> $/);
    repl.send('const t: number = 6; t + 1\n');
    expect(await repl.until(/> $/)).toContain('7');
  });
});
