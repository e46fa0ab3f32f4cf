import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { encode, FrameReader, loadCodec, type DecodedMessage, type Encodable } from '../../src/shared/bencode/bencode';
import { ClientErrorCodes, connect, NreplClientError, type NreplClient, type Response } from '../../src/client/client';

type Reply = (msg: { readonly [key: string]: Encodable }) => void;
type Handler = (msg: DecodedMessage, reply: Reply, socket: Socket) => void;

/**
 * A fake nREPL server: decodes requests with our FrameReader and writes each
 * reply in odd-sized pieces (1, 2, 3, 5, 7... bytes, then the rest), so the
 * client's framing sees replies split everywhere.
 */
async function fakeServer(handler: Handler, listenOn: { port: 0 } | { path: string } = { port: 0 }) {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => sockets.delete(socket));
    const reader = new FrameReader();
    const reply: Reply = (msg) => {
      const frame = encode(msg);
      const sizes = [1, 2, 3, 5, 7, 11];
      let at = 0;
      for (const size of sizes) {
        if (at >= frame.length) break;
        socket.write(frame.subarray(at, (at += size)));
      }
      if (at < frame.length) socket.write(frame.subarray(at));
    };
    socket.on('data', (chunk: Buffer) => {
      for (const msg of reader.push(chunk)) handler(msg, reply, socket);
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => ('path' in listenOn ? server.listen(listenOn.path, resolve) : server.listen(0, '127.0.0.1', resolve)));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const stop = async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  cleanups.push(stop);
  return { port, sockets, stop };
}

// The fake server uses the codec directly; the client loads it in connect().
beforeAll(loadCodec);

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function client(port: number, opts?: Parameters<typeof connect>[1]): Promise<NreplClient> {
  const c = await connect({ port }, opts);
  cleanups.push(() => c.end());
  return c;
}

/** Echo server: answers `{id, session, status:[done]}` plus whatever the request's `reply` field asks for. */
const echo: Handler = (msg, reply) => reply({ id: msg.id, got: msg as never, status: ['done'] });

async function rejection(p: Promise<unknown>): Promise<NreplClientError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(NreplClientError);
    return err as NreplClientError;
  }
  throw new Error('expected a rejection');
}

describe('client: requests and routing', () => {
  it('generates ids and collects responses until one whose status contains done', async () => {
    const { port } = await fakeServer((msg, reply) => {
      reply({ id: msg.id, out: 'a' });
      reply({ id: msg.id, status: ['x-progress'] });
      reply({ id: msg.id, status: ['something', 'done', 'else'] });
    });
    const c = await client(port);
    const first = await c.request({ op: 'anything' });
    expect(first.map((r) => r.id)).toEqual(['1', '1', '1']);
    expect(first[2].status).toEqual(['something', 'done', 'else']);
    const second = await c.request({ op: 'anything' });
    expect(second[0].id).toBe('2');
    expect(await c.request({ op: 'anything', id: 'mine' })).toHaveLength(3);
    expect(c.inFlight).toBe(0);
  });

  it('sends any op with its fields, encoded as given', async () => {
    const { port } = await fakeServer(echo);
    const c = await client(port);
    const [r] = await c.request({ op: 'cider/info', sym: 'map', 'verbose?': 1, list: ['a', 2], text: 'é€' });
    expect(r.got).toEqual({ op: 'cider/info', id: '1', sym: 'map', 'verbose?': 1, list: ['a', 2], text: 'é€' });
  });

  it('routes interleaved responses of concurrent requests by id', async () => {
    const held: [DecodedMessage, Reply][] = [];
    const { port } = await fakeServer((msg, reply) => {
      held.push([msg, reply]);
      if (held.length < 3) return;
      // Answer in reverse order, interleaving partial responses.
      for (const [m, r] of [...held].reverse()) r({ id: m.id, value: `v${m.code}` });
      for (const [m, r] of held) r({ id: m.id, status: ['done'] });
    });
    const c = await client(port);
    const results = await Promise.all(['a', 'b', 'c'].map((code) => c.eval(code)));
    expect(results.map((r) => r.values)).toEqual([['va'], ['vb'], ['vc']]);
  });

  it('streams each response to the callback as it arrives', async () => {
    const { port } = await fakeServer((msg, reply) => {
      reply({ id: msg.id, out: 'one\n' });
      setTimeout(() => reply({ id: msg.id, out: 'two\n', status: ['done'] }), 20);
    });
    const c = await client(port);
    const seen: string[] = [];
    const all = await c.message({ op: 'eval', code: 'x' }, (r) => seen.push(String(r.out)));
    expect(seen).toEqual(['one\n', 'two\n']);
    expect(all).toHaveLength(2);
  });

  it('gives responses with no id, an unknown id, or after done to onUnsolicited', async () => {
    const { port } = await fakeServer((msg, reply) => {
      reply({ out: 'no id' });
      reply({ id: 'nobody', out: 'unknown id' });
      reply({ id: msg.id, status: ['done'] });
      reply({ id: msg.id, out: 'late' });
    });
    const unsolicited: Response[] = [];
    const c = await client(port, { onUnsolicited: (r) => unsolicited.push(r) });
    await c.request({ op: 'eval' });
    await c.request({ op: 'describe' }); // by now the late output of the first has arrived
    // The second request's own late output may or may not have arrived yet.
    expect(unsolicited.map((r) => r.out).slice(0, 5)).toEqual(['no id', 'unknown id', 'late', 'no id', 'unknown id']);
  });

  it('posts messages untracked, without an id', async () => {
    const { port } = await fakeServer((msg, reply) => reply({ got: msg as never, status: ['done'] }));
    const got = new Promise<Response>((resolve) => {
      void client(port, { onUnsolicited: resolve }).then((c) => c.post({ op: 'eval', code: '1' }));
    });
    expect((await got).got).toEqual({ op: 'eval', code: '1' });
  });

  it('receives a 10 MB value split into odd chunks', async () => {
    const big = 'xé'.repeat(5 * 1024 * 1024);
    const { port } = await fakeServer((msg, reply) => reply({ id: msg.id, value: big, status: ['done'] }));
    const c = await client(port);
    const r = await c.eval('big');
    expect(r.values[0] === big).toBe(true);
  });

  it('connects over a unix socket', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nrepl-client-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'nrepl.sock');
    await fakeServer(echo, { path });
    const c = await connect({ socket: path });
    cleanups.push(() => c.end());
    expect(c.target).toBe(`nrepl+unix:${path}`);
    expect((await c.request({ op: 'describe' }))[0].status).toEqual(['done']);
  });
});

describe('client: op helpers', () => {
  it('sends the right op and fields and reads the right keys', async () => {
    const { port } = await fakeServer((msg, reply) => {
      const base = { id: msg.id, got: msg as never };
      switch (msg.op) {
        case 'clone': return reply({ ...base, 'new-session': 'S1', status: ['done'] });
        case 'describe': return reply({ ...base, ops: { eval: {} }, status: ['done'] });
        case 'ls-sessions': return reply({ ...base, sessions: ['S1', 'S2'], status: ['done'] });
        case 'close': return reply({ ...base, status: ['done', 'session-closed'] });
        case 'interrupt': return reply({ ...base, status: ['session-idle', 'done'] });
        case 'completions': return reply({ ...base, completions: [{ candidate: 'console', type: 'var' }], status: ['done'] });
        case 'lookup': return reply({ ...base, info: msg.sym === 'nope' ? [] : { name: String(msg.sym) }, status: ['done'] });
        default: return reply({ ...base, status: ['done'] });
      }
    });
    const c = await client(port);
    expect(await c.clone({ 'client-name': 'test' })).toBe('S1');
    const d = await c.describe({ 'verbose?': 1 });
    expect(d.ops).toEqual({ eval: {} });
    expect(d.got).toMatchObject({ op: 'describe', 'verbose?': 1 });
    expect(await c.lsSessions()).toEqual(['S1', 'S2']);
    expect(await c.close('S1')).toEqual(['done', 'session-closed']);
    expect(await c.interrupt('S1', '7')).toEqual(['session-idle', 'done']);
    expect(await c.completions('con', { ns: 'user' })).toEqual([{ candidate: 'console', type: 'var' }]);
    expect(await c.lookup('map')).toEqual({ name: 'map' });
    expect(await c.lookup('nope')).toBeUndefined();
    const sent: Response[] = [];
    await c.stdin('S1', 'line\n', { onResponse: (r) => sent.push(r) });
    await c.interrupt('S1', undefined, { onResponse: (r) => sent.push(r) });
    await c.loadFile('1 + 1', { 'file-path': 'a.js' }, { onResponse: (r) => sent.push(r) });
    expect(sent.map((r) => r.got)).toEqual([
      { op: 'stdin', id: expect.any(String), session: 'S1', stdin: 'line\n' },
      { op: 'interrupt', id: expect.any(String), session: 'S1' },
      { op: 'load-file', id: expect.any(String), file: '1 + 1', 'file-path': 'a.js' },
    ]);
  });

  it('summarises an eval: values, output, error, ns and the status set', async () => {
    const { port } = await fakeServer((msg, reply) => {
      reply({ id: msg.id, out: 'hi\n' });
      reply({ id: msg.id, ns: 'user', value: '1' });
      reply({ id: msg.id, err: 'Boom\n' });
      reply({ id: msg.id, out: 'there\n' });
      reply({ id: msg.id, ex: 'class Error', 'root-ex': 'class Error', status: ['eval-error'] });
      reply({ id: msg.id, status: ['done'] });
    });
    const c = await client(port);
    const r = await c.eval('print("hi"); 1; throw new Error("Boom")', { session: 'S', ns: 'user' });
    expect(r).toMatchObject({ values: ['1'], out: 'hi\nthere\n', err: 'Boom\n', ex: 'class Error', rootEx: 'class Error', ns: 'user', status: ['eval-error', 'done'] });
    expect(r.responses).toHaveLength(6);
  });

  it('rejects clone without new-session, naming the op and statuses', async () => {
    const { port } = await fakeServer((msg, reply) => reply({ id: msg.id, status: ['error', 'unknown-op', 'done'] }));
    const c = await client(port);
    const err = await rejection(c.clone());
    expect(err.code).toBe(ClientErrorCodes.REPLY);
    expect(err.message).toBe('nREPL clone reply has no "new-session" (status ["error","unknown-op","done"])');
  });
});

describe('client: failures never hang', () => {
  it('times out a request without done, naming op and id, and stays usable', async () => {
    const { port } = await fakeServer((msg, reply) => {
      if (msg.op === 'slow') reply({ id: msg.id, out: 'partial' });
      else reply({ id: msg.id, status: ['done'] });
    });
    const c = await client(port, { timeoutMs: 5_000 });
    const err = await rejection(c.request({ op: 'slow' }, { timeoutMs: 100 }));
    expect(err.code).toBe(ClientErrorCodes.TIMEOUT);
    expect(err.message).toBe('nREPL request timed out after 100 ms: op "slow", id "1" (1 response, no "done")');
    expect(err).toMatchObject({ op: 'slow', id: '1' });
    expect(err.responses).toHaveLength(1);
    expect(c.inFlight).toBe(0);
    expect(await c.request({ op: 'fast' })).toHaveLength(1);
  });

  it('rejects pending requests when the server closes the connection', async () => {
    const { port } = await fakeServer((msg, reply, socket) => {
      reply({ id: msg.id, out: 'about to die' });
      setTimeout(() => socket.destroy(), 10);
    });
    const c = await client(port);
    const err = await rejection(c.eval('x', { session: 'S' }));
    expect(err.code).toBe(ClientErrorCodes.CONNECTION);
    expect(err.message).toMatch(/^nREPL connection to 127\.0\.0\.1:\d+ closed.* \(request op "eval", id "1"\)$/);
    expect(err.responses).toHaveLength(1);
    const after = await rejection(c.request({ op: 'describe' }));
    expect(after.code).toBe(ClientErrorCodes.CONNECTION);
  });

  it('says when the connection closed in the middle of a message', async () => {
    const { port } = await fakeServer((_msg, _reply, socket) => {
      socket.end(Buffer.from('d2:id1:15:value10:abc'));
    });
    const c = await client(port);
    const err = await rejection(c.request({ op: 'eval' }));
    expect(err.message).toContain('closed in the middle of a message (21 bytes)');
  });

  it('rejects pending requests when the server sends bad bencode', async () => {
    const { port } = await fakeServer((_msg, _reply, socket) => socket.write('HTTP/1.1 400 Bad Request\r\n\r\n'));
    const c = await client(port);
    const err = await rejection(c.request({ op: 'describe' }));
    expect(err.code).toBe(ClientErrorCodes.PROTOCOL);
    expect(err.message).toMatch(/sent bad bencode: nREPL message must be a dictionary \(bencode 'd'\), got 'H' \(request op "describe", id "1"\)$/);
  });

  it('rejects connect to a closed port', async () => {
    const { port, stop } = await fakeServer(echo);
    await stop();
    const err = await rejection(connect({ port }));
    expect(err.code).toBe(ClientErrorCodes.CONNECTION);
    expect(err.message).toMatch(new RegExp(`^could not connect to nREPL at 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
  });

  it('rejects a duplicate pending id and an unencodable field without sending', async () => {
    const { port } = await fakeServer((msg, reply) => {
      if (msg.op !== 'hold') reply({ id: msg.id, status: ['done'] });
    });
    const c = await client(port);
    const held = rejection(c.request({ op: 'hold', id: 'x' }, { timeoutMs: 0 }));
    const dup = await rejection(c.request({ op: 'other', id: 'x' }));
    expect(dup.code).toBe(ClientErrorCodes.USAGE);
    expect(dup.message).toBe('nREPL request id "x" is already pending (op "other")');
    const bad = await rejection(c.request({ op: 'eval', n: 1.5 }));
    expect(bad.code).toBe(ClientErrorCodes.USAGE);
    expect(bad.message).toContain('cannot encode 1.5 at "n"');
    await c.end();
    expect((await held).message).toContain('was ended by the client (request op "hold", id "x")');
  });

  it('rejects the request whose onResponse callback throws', async () => {
    const { port } = await fakeServer((msg, reply) => {
      reply({ id: msg.id, out: 'x' });
      reply({ id: msg.id, status: ['done'] });
    });
    const c = await client(port);
    const boom = new Error('callback failed');
    await expect(c.message({ op: 'eval' }, () => { throw boom; })).rejects.toBe(boom);
    expect(c.inFlight).toBe(0);
  });

  it('rejects requests after end()', async () => {
    const { port } = await fakeServer(echo);
    const c = await client(port);
    await c.end();
    const err = await rejection(c.request({ op: 'describe' }));
    expect(err.code).toBe(ClientErrorCodes.CONNECTION);
    expect(err.message).toMatch(/was ended by the client \(request op "describe"\)$/);
  });
});

describe('client: codec loading', () => {
  it('loads the bencode codec in connect, so callers need not', async () => {
    vi.resetModules();
    const fresh = await import('../../src/client/client.js');
    const freshCodec = await import('../../src/shared/bencode/bencode.js');
    expect(() => freshCodec.encode({ op: 'x' })).toThrow(/call loadCodec\(\) first/);
    const { port } = await fakeServer((msg, reply) => reply({ id: msg.id, status: ['done'] }));
    const c = await fresh.connect({ port });
    cleanups.push(() => c.end());
    expect(await c.request({ op: 'describe' })).toEqual([{ id: '1', status: ['done'] }]);
  });
});
