// nrepl-ts/prepl over real sockets, in a spawned app with the preload.
import { describe, expect, it } from 'vitest';
import * as net from 'node:net';
import { join } from 'node:path';
import { APPS, spawnWithAgent, waitForServerPort, type Child } from '../helpers/agent';
import { parseEdn } from '../../src/shared/config/edn';

type Message = Record<string, unknown>;

interface PreplClient {
  send(text: string): void;
  /** Resolves with the messages received up to and including the n-th `ret` from now. */
  rets(n: number, timeoutMs?: number): Promise<Message[]>;
  /** Resolves with the messages received up to the first one matching `pred`. */
  until(pred: (m: Message) => boolean, timeoutMs?: number): Promise<Message[]>;
  /** Every raw line received so far. */
  lines(): string[];
  end(): void;
  closed: Promise<void>;
}

/** A line-oriented prepl client: one message per line, EDN (read with our EDN reader) or JSON. */
function connectPrepl(port: number, format: 'edn' | 'json' = 'edn'): Promise<PreplClient> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setEncoding('utf8');
    let partial = '';
    const raw: string[] = [];
    const queue: Message[] = [];
    const waiters = new Set<() => void>();
    socket.on('data', (d: string) => {
      partial += d;
      let nl = partial.indexOf('\n');
      while (nl >= 0) {
        const line = partial.slice(0, nl);
        partial = partial.slice(nl + 1);
        raw.push(line);
        queue.push((format === 'edn' ? parseEdn(line) : JSON.parse(line)) as Message);
        nl = partial.indexOf('\n');
      }
      waiters.forEach((w) => w());
    });
    const closed = new Promise<void>((done) =>
      socket.once('close', () => {
        waiters.forEach((w) => w());
        done();
      }),
    );
    const until: PreplClient['until'] = (pred, timeoutMs = 10_000) =>
      new Promise((ok, fail) => {
        const check = () => {
          const i = queue.findIndex(pred);
          if (i >= 0) {
            finish();
            ok(queue.splice(0, i + 1));
          } else if (socket.destroyed) {
            finish();
            fail(new Error(`connection closed; received: ${JSON.stringify(queue)}`));
          }
        };
        const timer = setTimeout(() => {
          finish();
          fail(new Error(`timed out; received: ${JSON.stringify(queue)}`));
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    socket.once('error', reject);
    socket.once('connect', () =>
      resolve({
        send: (text) => socket.write(text),
        until,
        rets: async (n, timeoutMs) => {
          const out: Message[] = [];
          for (let i = 0; i < n; i++) out.push(...(await until((m) => m.tag === 'ret', timeoutMs)));
          return out;
        },
        lines: () => raw,
        end: () => socket.end(),
        closed,
      }),
    );
  });
}

const EDN = '{:port 0 :accept nrepl-ts/prepl}';
const JSON_ARGS = '{:port 0 :accept nrepl-ts/prepl :args [:json]}';

async function startApp(servers: Record<string, string> = { P: EDN }): Promise<{ child: Child; ports: Record<string, number> }> {
  const env: Record<string, string> = {};
  for (const [name, spec] of Object.entries(servers)) env[`NREPL_SERVER_${name}`] = spec;
  const child = spawnWithAgent({ app: join(APPS, 'prepl-app.cjs'), cwd: APPS, env });
  await child.waitFor(/app ready/, { from: 'stdout' });
  const ports: Record<string, number> = {};
  for (const name of Object.keys(servers)) ports[name] = await waitForServerPort(child, name.toLowerCase());
  return { child, ports };
}

const rets = (ms: Message[]) => ms.filter((m) => m.tag === 'ret');
const vals = (ms: Message[]) => rets(ms).map((m) => m.val);

describe('nrepl-ts/prepl (EDN)', () => {
  it('evaluates multi-line input, one :ret per form with :val as EDN, :ns, :ms and :form; declarations persist; await works', async () => {
    const { ports } = await startApp();
    const c = await connectPrepl(ports.P);
    c.send('1 + 1\nfunction twice(x) {\n');
    c.send('  return x * 2\n}\n');
    c.send('const data = {a: [1, 2.5, null], "b c": new Map([[1, "x"]]), s: new Set(["k"]), d: new Date(0)}\n');
    c.send('twice(21)\ndata\nawait new Promise((r) => setTimeout(() => r(appName), 20))\n');
    const got = await c.rets(6);
    expect(got.every((m) => m.tag === 'ret')).toBe(true);
    expect(got[0]).toEqual({ tag: 'ret', val: '2', ns: 'user', ms: expect.any(Number), form: '1 + 1' });
    expect(got[1].form).toBe('function twice(x) {\n  return x * 2\n}');
    expect(got[1].val).toBe('nil');
    expect(got[3].val).toBe('42');
    expect(got[4].val).toBe('{:a [1 2.5 nil], "b c" {1 "x"}, :s #{"k"}, :d #inst "1970-01-01T00:00:00.000Z"}');
    expect(parseEdn(got[4].val as string)).toMatchObject({ a: [1, 2.5, null], s: ['k'] });
    expect(got[5].val).toBe('"prepl-app"');
    expect(Object.keys(got[0])).toEqual(['tag', 'val', 'ns', 'ms', 'form']);
    c.end();
  });

  it('evaluations of one connection run one at a time, in order, even when they await', async () => {
    const { ports } = await startApp();
    const c = await connectPrepl(ports.P);
    c.send('await new Promise((r) => setTimeout(() => r("slow"), 150))\n"fast"\nawait new Promise((r) => setTimeout(() => r("medium"), 50))\n');
    expect(vals(await c.rets(3))).toEqual(['"slow"', '"fast"', '"medium"']);
    c.end();
  });

  it('output of evaluated code arrives as :out/:err, also from timers after the :ret, and never on the app’s stdout', async () => {
    const { child, ports } = await startApp();
    const c = await connectPrepl(ports.P);
    c.send('console.log("to-out"); console.error("to-err"); setTimeout(() => console.log("later-out"), 50); "returned"\n');
    const first = await c.rets(1);
    expect(first).toEqual([
      { tag: 'out', val: 'to-out\n' },
      { tag: 'err', val: 'to-err\n' },
      { tag: 'ret', val: '"returned"', ns: 'user', ms: expect.any(Number), form: expect.any(String) },
    ]);
    expect(await c.until((m) => m.tag === 'out')).toEqual([{ tag: 'out', val: 'later-out\n' }]);
    expect(child.stdout()).not.toMatch(/to-out|later-out/);
    expect(child.stderr()).not.toMatch(/to-err/);
    c.end();
  });

  it('exceptions are data: Throwable->map with :phase, :exception true, no :ms; the connection carries on', async () => {
    const { child, ports } = await startApp();
    const c = await connectPrepl(ports.P);
    c.send('function inner() { null.x }\n');
    c.send('inner()\n');
    c.send('throw new Error("outer", { cause: new RangeError("root") })\n');
    c.send(')(\n');
    c.send('"still here"\n');
    const got = rets(await c.rets(5));
    const typeError = got[1];
    expect(Object.keys(typeError)).toEqual(['tag', 'val', 'ns', 'form', 'exception']);
    expect(typeError).toMatchObject({ ns: 'user', form: 'inner()', exception: true });
    const data = parseEdn(typeError.val as string) as { via: Array<Record<string, unknown>>; trace: unknown[][]; cause: string; phase: string };
    expect(data.via[0]).toMatchObject({ type: 'TypeError', message: "Cannot read properties of null (reading 'x')" });
    expect(data.via[0].at).toEqual(data.trace[0]);
    // `inner` lives in the eval's namespace and is called through it, so V8 names the receiver (Object).
    expect(data.trace[0]).toEqual(['Object', 'inner', expect.stringContaining('[nrepl-eval]'), 1]);
    expect(data.cause).toBe("Cannot read properties of null (reading 'x')");
    expect(data.phase).toBe('execution');

    const chained = parseEdn(got[2].val as string) as { via: Array<Record<string, unknown>>; cause: string };
    expect(chained.via.map((v) => [v.type, v.message])).toEqual([['Error', 'outer'], ['RangeError', 'root']]);
    expect(chained.cause).toBe('root');

    const syntax = got[3];
    expect(Object.keys(syntax)).toEqual(['tag', 'val', 'ns', 'exception']); // read errors: no :form, no :ms
    expect(parseEdn(syntax.val as string)).toEqual({
      via: [{ type: 'SyntaxError', message: 'Unexpected token (1:1)', data: { 'clojure.error/line': 1, 'clojure.error/column': 1 } }],
      trace: [],
      cause: 'Unexpected token (1:1)',
      phase: 'read-source',
    });
    expect(got[4].val).toBe('"still here"');
    // no error text besides the data: prepl reports exceptions once
    expect(c.lines().some((l) => l.startsWith('{:tag :err'))).toBe(false);
    expect(child.proc.exitCode).toBeNull();
    c.end();
  });

  it('an error thrown later by a timer the form started arrives as :err, after the :ret', async () => {
    const { child, ports } = await startApp();
    const c = await connectPrepl(ports.P);
    c.send('setTimeout(() => { throw new Error("late boom") }, 30); 1\n');
    expect(vals(await c.rets(1))).toEqual(['1']);
    const [late] = await c.until((m) => m.tag === 'err');
    expect(late.val).toMatch(/Uncaught Error: late boom/);
    expect(child.proc.exitCode).toBeNull();
    c.end();
  });

  it('tap from an evaluation and from the app’s own code reaches every connected client; without clients tap is a no-op', async () => {
    const { child, ports } = await startApp({ P: EDN, J: JSON_ARGS });
    expect(child.stdout()).toMatch(/tap-without-listeners=false/);
    const a = await connectPrepl(ports.P);
    const b = await connectPrepl(ports.P);
    const j = await connectPrepl(ports.J, 'json');
    // every client is registered once it has answered something
    for (const c of [a, b, j]) c.send('1\n');
    await Promise.all([a.rets(1), b.rets(1), j.rets(1)]);

    a.send('console.log("before"); tap({from: "eval", v: [1, 2n]})\n');
    const fromA = await a.rets(1);
    expect(fromA).toEqual([
      { tag: 'out', val: 'before\n' },
      { tag: 'tap', val: '{:from "eval", :v [1 2N]}' },
      { tag: 'ret', val: 'true', ns: 'user', ms: expect.any(Number), form: expect.any(String) },
    ]);
    expect(await b.until((m) => m.tag === 'tap')).toEqual([{ tag: 'tap', val: '{:from "eval", :v [1 2N]}' }]);
    expect(await j.until((m) => m.tag === 'tap')).toEqual([{ tag: 'tap', val: "{ from: 'eval', v: [ 1, 2n ] }" }]); // no data: BigInt

    child.proc.kill('SIGUSR2');
    await child.waitFor(/app tapped 1 listened=true/, { from: 'stdout' });
    expect(await a.until((m) => m.tag === 'tap')).toEqual([{ tag: 'tap', val: '{:from "app", :n 1}' }]);
    expect(await j.until((m) => m.tag === 'tap')).toEqual([{ tag: 'tap', val: "{ from: 'app', n: 1 }", data: { from: 'app', n: 1 } }]);

    for (const c of [a, b, j]) c.end();
    await Promise.all([a.closed, b.closed, j.closed]);
    // the worker tells the main thread that nobody listens any more
    let listened = true;
    for (let n = 2; listened && n < 50; n++) {
      child.proc.kill('SIGUSR2');
      const m = await child.waitFor(new RegExp(`app tapped ${n} listened=(\\w+)`), { from: 'stdout' });
      listened = m[1] === 'true';
      if (listened) await new Promise((r) => setTimeout(r, 50));
    }
    expect(listened).toBe(false);
  });

  it(':repl/quit ends the connection after answering what came before it', async () => {
    const { child, ports } = await startApp();
    const c = await connectPrepl(ports.P);
    c.send('await new Promise((r) => setTimeout(() => r(7), 50))\n:repl/quit\n"never"\n');
    await c.closed;
    expect(c.lines()).toHaveLength(1);
    expect(parseEdn(c.lines()[0])).toMatchObject({ tag: 'ret', val: '7' });
    const again = await connectPrepl(ports.P);
    again.send('"still serving"\n');
    expect(vals(await again.rets(1))).toEqual(['"still serving"']);
    expect(child.proc.exitCode).toBeNull();
    again.end();
  });

  it('at the end of input every form read is answered (an incomplete last one as a read error), then the connection closes', async () => {
    const { ports } = await startApp();
    const c = await connectPrepl(ports.P);
    c.send('await new Promise((r) => setTimeout(() => r("answered after EOF"), 80))\nfunction unfinished() {\n');
    c.end();
    await c.closed;
    const got = c.lines().map((l) => parseEdn(l) as Message);
    expect(got.map((m) => m.tag)).toEqual(['ret', 'ret']);
    expect(got[0].val).toBe('"answered after EOF"');
    expect(got[1]).toMatchObject({ exception: true });
    expect(parseEdn(got[1].val as string)).toMatchObject({ phase: 'read-source', cause: 'Unexpected end of input (1:24)' });
  });

  it('each connection has its own session ($1) but shares the app’s globals', async () => {
    const { ports } = await startApp();
    const a = await connectPrepl(ports.P);
    const b = await connectPrepl(ports.P);
    a.send('"a-value"\nvar sharedGlobal = 5\n');
    await a.rets(2);
    b.send('"b-value"\n$1\nsharedGlobal + 1\n');
    expect(vals(await b.rets(3))).toEqual(['"b-value"', '"b-value"', '6']);
    a.send('$2\n');
    expect(vals(await a.rets(1))).toEqual(['"a-value"']);
    a.end();
    b.end();
  });
});

describe('nrepl-ts/prepl {:args [:json]}', () => {
  it('sends the same events as JSON lines: val the text to read, data the value as JSON', async () => {
    const { ports } = await startApp({ J: JSON_ARGS });
    const c = await connectPrepl(ports.J, 'json');
    c.send('console.log("hi"); ({a: [1, 2], m: new Map([["k", true]]), d: new Date(0)})\n10n\nnull.x\n}\n');
    const got = await c.rets(3);
    expect(got[0]).toEqual({ tag: 'out', val: 'hi\n' });
    expect(got[1]).toEqual({
      tag: 'ret',
      val: "{ a: [ 1, 2 ], m: Map(1) { 'k' => true }, d: 1970-01-01T00:00:00.000Z }",
      data: { a: [1, 2], m: { k: true }, d: '1970-01-01T00:00:00.000Z' },
      ns: 'user',
      ms: expect.any(Number),
      form: expect.stringContaining('console.log'),
    });
    expect(got[2]).toEqual({ tag: 'ret', val: '10n', ns: 'user', ms: expect.any(Number), form: '10n' });
    expect(got[3]).toMatchObject({ tag: 'ret', ns: 'user', form: 'null.x', exception: true });
    expect(got[3].val).toMatch(/^Uncaught TypeError: Cannot read properties of null \(reading 'x'\)\n {4}at /);
    expect(got[3].data).toMatchObject({ via: [{ type: 'TypeError' }], phase: 'execution' });
    expect(got[3]).not.toHaveProperty('ms');
    const [syntax] = rets(await c.rets(1));
    expect(syntax).toEqual({
      tag: 'ret',
      val: 'SyntaxError: Unexpected token (1:1)',
      data: {
        via: [{ type: 'SyntaxError', message: 'Unexpected token (1:1)', data: { 'clojure.error/line': 1, 'clojure.error/column': 1 } }],
        trace: [],
        cause: 'Unexpected token (1:1)',
        phase: 'read-source',
      },
      ns: 'user',
      exception: true,
    });
    c.send(':repl/quit\n');
    await c.closed;
  });

  it('an unknown argument is reported once as :err and the server works as EDN', async () => {
    const { ports } = await startApp({ X: '{:port 0 :accept nrepl-ts/prepl :args [:yaml]}' });
    const c = await connectPrepl(ports.X);
    c.send('[1]\n');
    const got = await c.rets(1);
    expect(got[0]).toEqual({ tag: 'err', val: 'nrepl-ts/prepl: ignoring unknown argument(s) "yaml"; expected :json, :edn, :typescript or :javascript\n' });
    expect(got[1].val).toBe('[1]');
    c.end();
  });
});
