// Every accept kind is bounded by the one connection layer: whatever a client
// sends, or however little it reads, the host's RSS stays within a bound per
// connection, excess input waits in the kernel (TCP backpressure), and the
// app keeps answering HTTP. Volumes are far past every bound; the assertions
// are about memory and liveness, never about time.
import * as net from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPS } from '../helpers/agent';
import { frame, httpGet, MB, open, rssBytes, sleep, startHost, type Host, startAllKinds } from './helpers';

const APP = join(APPS, 'soak-http.cjs');

const startAll = startAllKinds;

async function rawSocket(port: number, { read }: { read: boolean }): Promise<net.Socket> {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => {});
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  if (read) socket.resume();
  else socket.pause();
  return socket;
}

/**
 * Writes `next()` chunks until `total` bytes are sent or the server stops
 * reading (no drain within 1.5 s: backpressure). Resolves with the bytes the
 * socket accepted.
 */
async function flood(socket: net.Socket, next: () => Buffer | string, total: number): Promise<number> {
  let sent = 0;
  while (sent < total && !socket.destroyed) {
    const chunk = next();
    sent += chunk.length;
    if (!socket.write(chunk)) {
      const drained = await new Promise<boolean>((resolve) => {
        // Each wait takes its listeners off again: a long flood waits hundreds of times.
        const settle = (ok: boolean) => {
          clearTimeout(timer);
          socket.off('drain', onDrain).off('close', onClose);
          resolve(ok);
        };
        const onDrain = () => settle(true);
        const onClose = () => settle(false);
        const timer = setTimeout(() => settle(false), 1_500);
        socket.once('drain', onDrain).once('close', onClose);
      });
      if (!drained) break;
    }
  }
  return sent;
}

/** Asserts the host's growth over `before`, and that it still serves HTTP. */
async function withinBound(host: Host, before: number, boundMb: number, what: string): Promise<void> {
  await sleep(300);
  const grown = (rssBytes(host.child.proc.pid!) - before) / MB;
  expect(grown, `${what}: host RSS grew ${grown.toFixed(0)} MB`).toBeLessThan(boundMb);
  expect((await httpGet(host.httpPort!, '/', 5_000)).status).toBe(200);
}

describe('input a client sends waits in the kernel, not in the host', () => {
  it('plain REPL: 400 MB without a newline are cut at max-message-bytes; the host stays small', async () => {
    const host = await startAll();
    const before = rssBytes(host.child.proc.pid!);
    const socket = await rawSocket(host.repl, { read: true });
    const chunk = Buffer.alloc(MB, 0x61);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await flood(socket, () => chunk, 400 * MB);
    await closed;
    await withinBound(host, before, 250, '400 MB on one REPL line');
  });

  it('nREPL: 20,000 evals of 60 KB behind a parked session are held back by TCP', async () => {
    const host = await startAll();
    const c = await open(host.port);
    const session = await c.clone();
    const socket = await rawSocket(host.port, { read: false });
    socket.write(frame({ op: 'eval', id: 'park', session, code: 'await new Promise(() => {})' }));
    const before = rssBytes(host.child.proc.pid!);
    const code = `'${'x'.repeat(60 * 1024)}'.length`;
    let i = 0;
    const sent = await flood(socket, () => frame({ op: 'eval', id: `e${i++}`, session, code }), 20_000 * 60 * 1024);
    expect(sent, 'the server stopped reading long before 1.2 GB').toBeLessThan(400 * MB);
    await withinBound(host, before, 120, `${i} queued evals`);
  });

  it('nREPL: 50,000 session-less evals that never settle are held back too', async () => {
    const host = await startAll();
    const socket = await rawSocket(host.port, { read: false });
    const before = rssBytes(host.child.proc.pid!);
    let i = 0;
    const sent = await flood(socket, () => frame({ op: 'eval', id: `p${i++}`, code: 'await new Promise(() => {})' }), 50_000 * 60);
    await withinBound(host, before, 80, `${i} pending session-less evals (${(sent / MB).toFixed(1)} MB)`);
    // The kernel's socket buffers hold the rest: the host took no more than one connection's bound.
    const operator = await open(host.port);
    const running = (await operator.request({ op: 'ls-evals' }))[0]!.evals as unknown[];
    expect(running.length).toBeGreaterThan(0);
    expect(running.length).toBeLessThanOrEqual(256);
  });

  it('prepl: 600 MB of forms behind a pending await are held back by TCP', async () => {
    const host = await startAll();
    const socket = await rawSocket(host.prepl, { read: false });
    socket.write('await new Promise(() => {})\n');
    const before = rssBytes(host.child.proc.pid!);
    const form = Buffer.from(`'${'y'.repeat(64 * 1024)}'.length\n`);
    const sent = await flood(socket, () => form, 600 * MB);
    expect(sent).toBeLessThan(300 * MB);
    await withinBound(host, before, 120, `${(sent / MB).toFixed(0)} MB of prepl forms`);
  });
});

describe('output a client does not read is shed, not kept', () => {
  it('plain REPL: an eval printing 1 GB to a client that never reads leaves the host small', async () => {
    const host = await startAll();
    const socket = await rawSocket(host.repl, { read: false });
    const before = rssBytes(host.child.proc.pid!);
    socket.write("for (let i = 0; i < 100000; i++) console.log('z'.repeat(10000)); 'printed'\n");
    // The eval runs for a while on the main thread; sample the host as it goes.
    let peak = 0;
    for (let k = 0; k < 20; k++) {
      await sleep(250);
      peak = Math.max(peak, rssBytes(host.child.proc.pid!) - before);
    }
    expect(peak / MB, `peak growth ${(peak / MB).toFixed(0)} MB`).toBeLessThan(200);
    const c = await open(host.port);
    expect((await c.eval('"alive"')).values).toEqual(["'alive'"]);
    await withinBound(host, before, 200, 'after 1 GB of unread REPL output');
  });
});

describe('connections that never complete a frame do not hold a slot', () => {
  it('64 idle and slowloris connections are cut after frame-timeout-ms; the next client gets in', async () => {
    const host = await startHost({
      app: APP,
      http: true,
      env: { NREPL_SERVER_NREPL: '{:port 0 :accept nrepl-ts/nrepl :max-connections 4 :frame-timeout-ms 500}' },
    });
    const idle = await Promise.all([0, 1].map(() => rawSocket(host.port, { read: true })));
    const slow = await Promise.all([0, 1].map(() => rawSocket(host.port, { read: true })));
    for (const s of slow) s.write('d2:op');
    const closedAll = Promise.all([...idle, ...slow].map((s) => new Promise<void>((resolve) => s.once('close', () => resolve()))));
    await closedAll;
    // The server counts a connection until its own close event, just after the client's.
    await sleep(300);
    const c = await open(host.port);
    expect((await c.eval('1 + 2')).values).toEqual(['3']);
  });

  it('an editor idle between evals is never cut', async () => {
    const host = await startHost({
      app: APP,
      http: true,
      env: { NREPL_SERVER_NREPL: '{:port 0 :accept nrepl-ts/nrepl :frame-timeout-ms 300}' },
    });
    const c = await open(host.port);
    expect((await c.eval('1')).values).toEqual(['1']);
    await sleep(1_000);
    expect((await c.eval('2')).values).toEqual(['2']);
  });
});
