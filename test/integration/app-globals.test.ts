// "The app's globals and output belong to the app", in real host processes,
// through the nREPL server and the JSON prepl: evaluating code never creates,
// replaces or deletes a global the app can see (except the documented
// `tap`), the REPL conveniences are visible to evaluated code only and give
// way to the app's own globals, and output of code an eval started goes back
// to the host's stdout once the client is gone.
import { afterEach, describe, expect, it } from 'vitest';
import * as net from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { APPS, spawnWithAgent, tempDir, waitForNreplPort, waitForServerPort, type Child } from '../helpers/agent';
import { connect, type NreplClient } from '../../src/client/client';
import { connectText } from '../helpers/text-client';

const APP = join(APPS, 'globals-app.cjs');
const SERVERS = {
  NREPL_SERVER_N: '{:port 0 :accept nrepl-ts/nrepl}',
  NREPL_SERVER_P: '{:port 0 :accept nrepl-ts/prepl :args [:json]}',
  NREPL_SERVER_R: '{:port 0 :accept nrepl-ts/repl}',
};

const sockets = new Set<net.Socket>();
const clients = new Set<NreplClient>();
afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.clear();
  for (const c of clients) await c.end().catch(() => {});
  clients.clear();
});

async function startApp(args: string[]): Promise<{ child: Child; cwd: string; nrepl: number; prepl: number }> {
  const cwd = tempDir('nrepl-globals-');
  const child = spawnWithAgent({ app: APP, args, cwd, env: SERVERS });
  await child.waitFor(/app ready/, { from: 'stdout' });
  return { child, cwd, nrepl: await waitForNreplPort(child), prepl: await waitForServerPort(child, 'p') };
}

/** The app's global names without the agent. */
async function namesWithoutAgent(args: string[]): Promise<string[]> {
  const child = spawnWithAgent({ app: APP, args: [...args, '--print-globals'], via: 'none' });
  await child.exited;
  return JSON.parse(child.stdout()) as string[];
}

/** An eval client: `evaluate(code)` resolves with the value's printed text (or throws with the error). */
interface EvalClient {
  evaluate(code: string): Promise<string>;
  /** The JS value of the result, where the protocol carries one (prepl `data`); else the printed text parsed. */
  names(): Promise<string[]>;
  out: () => string;
  close(): void;
}

async function nreplClient(port: number): Promise<EvalClient> {
  let out = '';
  const client = await connect({ port }, { timeoutMs: 10_000, onUnsolicited: (r) => (out += typeof r.out === 'string' ? r.out : '') });
  clients.add(client);
  const session = await client.clone();
  const evaluate = async (code: string) => {
    const r = await client.eval(code, { session });
    out += r.out;
    if (r.ex) throw new Error(`${code} failed: ${r.err}`);
    return r.values[r.values.length - 1];
  };
  return {
    evaluate,
    names: async () => (await evaluate("Object.getOwnPropertyNames(globalThis).join(' ')")).replace(/^'|'$/g, '').split(' '),
    out: () => out,
    close: () => (client as unknown as { socket: net.Socket }).socket.destroy(),
  };
}

async function preplClient(port: number): Promise<EvalClient> {
  const socket = net.connect(port, '127.0.0.1');
  sockets.add(socket);
  await new Promise<void>((ok, fail) => socket.once('connect', ok).once('error', fail));
  socket.setEncoding('utf8');
  let partial = '';
  let out = '';
  const rets: Array<Record<string, unknown>> = [];
  let wake = () => {};
  socket.on('data', (d: string) => {
    partial += d;
    for (let nl = partial.indexOf('\n'); nl >= 0; nl = partial.indexOf('\n')) {
      const msg = JSON.parse(partial.slice(0, nl)) as Record<string, unknown>;
      partial = partial.slice(nl + 1);
      if (msg.tag === 'out') out += String(msg.val);
      if (msg.tag === 'ret') rets.push(msg);
    }
    wake();
  });
  const next = () =>
    new Promise<Record<string, unknown>>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error('no prepl ret within 10 s')), 10_000);
      const check = () => {
        const msg = rets.shift();
        if (!msg) return;
        clearTimeout(timer);
        ok(msg);
      };
      wake = check;
      check();
    });
  const send = async (code: string) => {
    socket.write(code + '\n');
    const msg = await next();
    if (msg.exception) throw new Error(`${code} failed: ${String(msg.val)}`);
    return msg;
  };
  return {
    evaluate: async (code) => String((await send(code)).val),
    names: async () => (await send('Object.getOwnPropertyNames(globalThis)')).data as string[],
    out: () => out,
    close: () => socket.destroy(),
  };
}

const PROTOCOLS = [
  ['nREPL', (h: { nrepl: number }) => nreplClient(h.nrepl)],
  ['prepl', (h: { prepl: number }) => preplClient(h.prepl)],
] as const;

describe.each(PROTOCOLS)('through %s', (_name, open) => {
  it("an app's own _, require and module stay the app's, and evaluating adds no global but tap", async () => {
    const host = await startApp(['own']);
    const c = await open(host);
    expect(await c.evaluate('1+1')).toBe('2');
    // The app's lodash-like `_`, not the last value.
    expect(await c.evaluate('_.isLodash')).toBe('true');
    expect(await c.evaluate("require('node:path').sep")).toBe("'/'");
    // A built-in module name the app has no global for: the module, loaded on use.
    expect(await c.evaluate("fs.existsSync('.')")).toBe('true');
    expect(await c.evaluate('$1')).toBe('true');
    expect(await c.evaluate('_ === store.originals._ && require === store.originals.require && module === store.originals.module')).toBe('true');
    expect(
      await c.evaluate('globalThis._ === store.originals._ && globalThis.require === store.originals.require && globalThis.module === store.originals.module'),
    ).toBe('true');
    const before = await namesWithoutAgent(['own']);
    const after = await c.names();
    expect(after.filter((n) => !before.includes(n)), 'globals the agent added').toEqual(after.includes('tap') ? ['tap'] : []);
    expect(before.filter((n) => !after.includes(n)), 'globals the agent removed').toEqual([]);
    // The scope's hand-over key is gone once the eval's synchronous part is over.
    expect(await c.evaluate("Object.getOwnPropertySymbols(globalThis).map(String).filter(s => s.includes('eval-scope')).length")).toBe('0');
  });

  it('in an app without such globals, _ is the last value and _error the last error, visible to evaluated code only', async () => {
    const host = await startApp([]);
    const c = await open(host);
    expect(await c.evaluate('20 + 22')).toBe('42');
    expect(await c.evaluate('_ + 1')).toBe('43');
    expect(await c.evaluate('$2')).toBe('42');
    await expect(c.evaluate('null.x')).rejects.toThrow(/TypeError/);
    expect(await c.evaluate('_error instanceof TypeError && $e === _error')).toBe('true');
    expect(await c.evaluate('typeof module.exports === "object" && exports === module.exports && typeof require.resolve')).toBe("'function'");
    expect(await c.evaluate('path.basename("/a/b.txt") + util.format(" %d", 1)')).toBe("'b.txt 1'");
    // A function defined in an eval keeps its conveniences; declarations live in the eval's namespace (issue 11), not on the global object.
    expect(await c.evaluate('function usesPath(p) { return path.extname(p) }')).toBe('undefined');
    expect(await c.evaluate('usesPath("x.js")')).toBe("'.js'");
    expect(await c.evaluate('const os = require("node:os"); typeof os.cpus')).toBe("'function'");
    const names = ['_', '_error', '$1', '$2', '$3', '$e', '$readLine', '$stdin', 'require', 'module', 'exports', 'fs', 'path', 'util'];
    expect(await c.evaluate(`${JSON.stringify(names)}.filter(n => n in globalThis).join(' ')`)).toBe("''");
    expect(await c.evaluate("'os' in globalThis || 'usesPath' in globalThis")).toBe('false');
    expect(await c.evaluate('typeof os.cpus + typeof usesPath')).toBe("'functionfunction'");
    const before = await namesWithoutAgent([]);
    const added = (await c.names()).filter((n) => !before.includes(n));
    expect(added.filter((n) => n !== 'tap').sort()).toEqual([]);
  });

  it("output of a reporter an eval started goes to the host's stdout once the client is gone", async () => {
    const host = await startApp([]);
    const c = await open(host);
    // Every 10 ms: lines are also in flight to the worker when the client leaves.
    expect(await c.evaluate('startReporter(10)')).toBe("'started'");
    await waitUntil(() => /report 3\n/.test(c.out()), 'the client receives the reporter lines while connected');
    expect(host.child.stdout()).not.toMatch(/report/);
    c.close();
    const seen = numbers(c.out());
    const last = Math.max(...seen);
    await host.child.waitFor(new RegExp(`report ${last + 20}\n`), { from: 'stdout' });
    const onHost = numbers(host.child.stdout());
    // Every line reached one of them: none lost in the hand-over.
    const all = new Set([...seen, ...onHost]);
    const max = Math.max(...all);
    expect([...Array(max).keys()].map((i) => i + 1).filter((n) => !all.has(n)), 'report lines nobody received').toEqual([]);
  });

  it("output written while the client leaves reaches the host's stdout, not the void", async () => {
    const host = await startApp([]);
    const c = await open(host);
    const flag = join(host.cwd, 'client-gone');
    // The main thread is busy (as a host under load is) while the client leaves, so the worker
    // knows the connection is gone before the main thread does; the line is written in between.
    const code = `setTimeout(() => { const fs = require('node:fs'), end = Date.now() + 10000; while (!fs.existsSync(${JSON.stringify(flag)}) && Date.now() < end); console.log('written as the client left') }, 0); 'armed'`;
    expect(await c.evaluate(code)).toBe("'armed'");
    c.close();
    await sleep(300);
    writeFileSync(flag, '');
    await host.child.waitFor(/written as the client left\n/, { from: 'stdout' });
  });
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function numbers(text: string): number[] {
  return [...text.matchAll(/report (\d+)\n/g)].map((m) => Number(m[1]));
}

async function waitUntil(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the plain REPL (nrepl-ts/repl) leaves the app its globals too', () => {
  it('typing 1+1 in an app that uses lodash as _ leaves its _ alone; elsewhere _ is the last value', async () => {
    const own = await startApp(['own']);
    const c = await connectText(await waitForServerPort(own.child, 'r'));
    await c.until(/> $/);
    c.send('1 + 1\n');
    expect(await c.until(/> $/)).toMatch(/^2\n/);
    c.send('[_.isLodash, _ === store.originals._, require === store.originals.require, module === store.originals.module]\n');
    expect(await c.until(/> $/)).toMatch(/^\[ true, true, true, true \]\n/);
    c.end();

    const plain = await startApp([]);
    const p = await connectText(await waitForServerPort(plain.child, 'r'));
    await p.until(/> $/);
    p.send('6 * 7\n');
    await p.until(/> $/);
    p.send("[_, typeof require('node:path').join, Object.hasOwn(globalThis, '_'), Object.hasOwn(globalThis, 'require')]\n");
    expect(await p.until(/> $/)).toMatch(/^\[ 42, 'function', false, false \]\n/);
    p.end();
  });
});
