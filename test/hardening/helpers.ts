/**
 * Helpers of the hardening tests: host apps with the preload (via
 * test/helpers/agent.ts, which kills every child after each test), nREPL
 * clients over TCP, TLS or raw sockets, throw-away TLS material, the host's
 * RSS from /proc, and an HTTP probe of the host app.
 *
 * Clients and sockets opened here are destroyed after each test.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect as netConnect, type Socket } from 'node:net';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { afterEach } from 'vitest';
import { encode, FrameReader, loadCodec, type Encodable } from '../../src/shared/bencode/bencode';
import { connect, NreplClient, type Response } from '../../src/client/client';
import { ROOT, spawnWithAgent, tempDir, type Child, type SpawnOptions } from '../helpers/agent';

export { hasStatus, statusOf, type Response } from '../../src/client/client';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const openSockets = new Set<Socket>();
afterEach(() => {
  for (const s of openSockets) s.destroy();
  openSockets.clear();
});

/** A host with the preload, its nREPL port (TCP or TLS) and, for HTTP apps, its HTTP port. */
export interface Host {
  child: Child;
  cwd: string;
  port: number;
  httpPort?: number;
}

/** The nREPL start-up line, for `nrepl://` and `nrepls://`; resolves with the port. */
export async function waitForNrepl(child: Child, scheme: 'nrepl' | 'nrepls' = 'nrepl'): Promise<number> {
  const match = await child.waitFor(new RegExp(`nREPL server started on port (\\d+) on host \\S+ - ${scheme}://\\S+:\\d+`));
  return Number(match[1]);
}

/** Starts `app` with the preload in a fresh cwd; waits for the nREPL line (and the HTTP port when the app prints one). */
export async function startHost(opts: SpawnOptions & { scheme?: 'nrepl' | 'nrepls'; http?: boolean } = {}): Promise<Host> {
  const cwd = opts.cwd ?? tempDir('nrepl-hardening-');
  const child = spawnWithAgent({ ...opts, cwd });
  const port = await waitForNrepl(child, opts.scheme);
  if (!opts.http) return { child, cwd, port };
  const match = await child.waitFor(/http listening on (\d+)/, { from: 'stdout' });
  return { child, cwd, port, httpPort: Number(match[1]) };
}

/** The soak HTTP app with an nREPL server, a plain REPL and a prepl, each on a free port. */
export async function startAllKinds(): Promise<Host & { repl: number; prepl: number }> {
  const host = await startHost({
    app: join(ROOT, 'fixtures/apps/soak-http.cjs'),
    http: true,
    env: {
      NREPL_SERVER_NREPL: '{:port 0 :accept nrepl-ts/nrepl}',
      NREPL_SERVER_REPL: '{:port 0 :accept nrepl-ts/repl}',
      NREPL_SERVER_PREPL: '{:port 0 :accept nrepl-ts/prepl}',
    },
  });
  const repl = Number((await host.child.waitFor(/server repl \(nrepl-ts\/repl\) listening on 127\.0\.0\.1:(\d+)/))[1]);
  const prepl = Number((await host.child.waitFor(/server prepl \(nrepl-ts\/prepl\) listening on 127\.0\.0\.1:(\d+)/))[1]);
  return { ...host, repl, prepl };
}

/** True while the child has neither exited nor died of a signal. */
export function alive(host: { child: Child }): boolean {
  return host.child.proc.exitCode === null && host.child.proc.signalCode === null;
}

/** GET `path` on 127.0.0.1:`port`; resolves with status and body, rejects after `ms`. */
export function httpGet(port: number, path = '/', ms = 5_000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, timeout: ms, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`the host app did not answer HTTP ${path} within ${ms} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** Resident set size of a process in bytes, from /proc/<pid>/status (VmRSS). */
export function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

export const MB = 1024 * 1024;

/** Our nREPL client on 127.0.0.1:`port`, 10 s per request; closed after the test. */
export async function open(port: number, onUnsolicited?: (r: Response) => void, options: { maxMessageBytes?: number } = {}): Promise<NreplClient> {
  const client = await connect({ port }, { timeoutMs: 10_000, onUnsolicited, ...options });
  track(client);
  return client;
}

function track(client: NreplClient): void {
  // The client owns its socket; reach it to destroy it after the test.
  const socket = (client as unknown as { socket: Socket }).socket;
  openSockets.add(socket);
}

// ---- TLS ----

/** Paths of the throw-away TLS material made by fixtures/tls/make-certs.sh. */
export interface Certs {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  rogueCert: string;
  rogueKey: string;
}

/** Generates a CA, a server certificate for 127.0.0.1/localhost, a client certificate and a rogue self-signed one into a fresh temp folder. */
export function makeCerts(): Certs {
  const dir = tempDir('nrepl-tls-');
  execFileSync('/bin/sh', [join(ROOT, 'fixtures/tls/make-certs.sh'), dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  const at = (f: string) => join(dir, f);
  return {
    dir,
    ca: at('ca.crt'),
    serverCert: at('server.crt'),
    serverKey: at('server.key'),
    clientCert: at('client.crt'),
    clientKey: at('client.key'),
    rogueCert: at('rogue.crt'),
    rogueKey: at('rogue.key'),
  };
}

/** Options of a TLS connection made by the tests: trust our CA, optionally present a client certificate. */
export interface TlsClientOptions {
  ca: string;
  cert?: string;
  key?: string;
}

/** Opens a TLS socket to 127.0.0.1:`port` that verifies the server against `ca`; resolves after the handshake. */
export function tlsSocket(port: number, opts: TlsClientOptions): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: '127.0.0.1',
      port,
      servername: 'localhost',
      ca: readFileSync(opts.ca),
      cert: opts.cert ? readFileSync(opts.cert) : undefined,
      key: opts.key ? readFileSync(opts.key) : undefined,
      rejectUnauthorized: true,
    });
    openSockets.add(socket);
    socket.once('secureConnect', () => {
      socket.removeListener('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Our nREPL client speaking over a verified TLS connection (the client takes any connected socket). */
export async function openTls(port: number, opts: TlsClientOptions, timeoutMs = 10_000): Promise<NreplClient> {
  await loadCodec();
  const socket = await tlsSocket(port, opts);
  socket.setNoDelay(true);
  return new NreplClient(socket, `tls 127.0.0.1:${port}`, { timeoutMs });
}

// ---- raw bencode sockets ----

/** A plain socket speaking bencode, for bad frames and clients that stop reading. */
export interface RawConn {
  socket: Socket;
  messages: Response[];
  write(bytes: Uint8Array | string): void;
  /** Resolves with the first message (already received or future) matching `pred`. */
  waitFor(pred: (r: Response) => boolean, what: string, ms?: number): Promise<Response>;
  closed: Promise<void>;
}

/** Opens a raw socket to 127.0.0.1:`port`. `read: false` never reads: the kernel buffers fill and the server sees a stalled client. */
export async function openRaw(port: number, { read = true }: { read?: boolean } = {}): Promise<RawConn> {
  await loadCodec();
  const socket = netConnect({ host: '127.0.0.1', port });
  openSockets.add(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.on('error', () => {});
  const messages: Response[] = [];
  const waiters = new Set<() => void>();
  const reader = new FrameReader({ maxMessageBytes: 512 * MB });
  const onData = (chunk: Buffer) => {
    for (const m of reader.push(chunk)) messages.push(m as Response);
    for (const w of [...waiters]) w();
  };
  if (read) socket.on('data', onData);
  else socket.pause();
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return {
    socket,
    messages,
    write: (bytes) => void socket.write(bytes),
    waitFor: (pred, what, ms = 10_000) =>
      new Promise((resolve, reject) => {
        if (!read) {
          read = true;
          socket.on('data', onData);
          socket.resume();
        }
        const check = () => {
          const found = messages.find(pred);
          if (found) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve(found);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`expected ${what} within ${ms} ms; got ${messages.length} messages, last: ${JSON.stringify(messages.slice(-3)).slice(0, 600)}`));
        }, ms);
        waiters.add(check);
        check();
      }),
    closed,
  };
}

/** Encodes one request. */
export function frame(msg: { readonly [key: string]: Encodable }): Buffer {
  return encode(msg);
}
