/**
 * Shared by the nREPL conformance tests (written from
 * ../shared/spec/nrepl-protocol.md and issue 3, not from the server's code):
 * start a host app with the preload, open clients that keep every response
 * nobody asked for (output after `done`, replies to untracked frames), a raw
 * socket for byte-level tests, and assertions whose failure message says what
 * the spec expects.
 *
 * Children are killed after each test by test/helpers/agent.ts, so every test
 * starts its own app; clients opened here are ended after each test.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { request as httpRequest } from 'node:http';
import { afterEach, expect } from 'vitest';
import { encode, FrameReader, loadCodec, type Encodable } from '../../src/shared/bencode/bencode';
import { connect, hasStatus, statusOf, type NreplClient, type Response } from '../../src/client/client';
import { APPS, spawnWithAgent, tempDir, waitForNreplPort, type Child, type SpawnOptions } from '../helpers/agent';

export { hasStatus, statusOf, type Response } from '../../src/client/client';
export { APPS } from '../helpers/agent';

/** Per-request timeout: generous, but a missing `done` fails the test instead of hanging it. */
export const REQUEST_TIMEOUT_MS = 10_000;

/** A host app with the preload and its default nREPL server. */
export interface Host {
  child: Child;
  port: number;
  cwd: string;
}

/** Starts `app` (default fixtures/apps/long-running.cjs) in a fresh temp cwd and waits for the nREPL start-up line. */
export async function startHost(opts: SpawnOptions = {}): Promise<Host> {
  const cwd = opts.cwd ?? tempDir('nrepl-conformance-');
  const child = spawnWithAgent({ ...opts, cwd });
  const port = await waitForNreplPort(child);
  return { child, port, cwd };
}

/** The HTTP fixture (fixtures/apps/nrepl-http.cjs) with its HTTP port. */
export async function startHttpHost(env: Record<string, string> = {}): Promise<Host & { httpPort: number }> {
  const host = await startHost({ app: `${APPS}/nrepl-http.cjs`, env });
  const match = await host.child.waitFor(/http listening on (\d+)/, { from: 'stdout' });
  return { ...host, httpPort: Number(match[1]) };
}

/** GET / on the HTTP fixture; rejects after `ms`. */
export function httpGet(port: number, ms = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/', timeout: ms }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error(`the host app did not answer HTTP within ${ms} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** True while the child process has neither exited nor died of a signal. */
export function alive(host: Host): boolean {
  return host.child.proc.exitCode === null && host.child.proc.signalCode === null;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Marks a promise as handled (it may be awaited later or never, if the test
 * failed first) so a request still pending at the end of a failed test does
 * not add an "unhandled rejection" to the report.
 */
export function track<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

/** Responses that matched no pending request, with a way to wait for one. */
export class Inbox {
  readonly messages: Response[] = [];
  private readonly waiters = new Set<() => void>();

  add(response: Response): void {
    this.messages.push(response);
    for (const w of [...this.waiters]) w();
  }

  /** Messages with this id. */
  withId(id: string): Response[] {
    return this.messages.filter((m) => m.id === id);
  }

  /** Resolves with the first message (already received or future) matching `pred`; rejects naming `what` after `ms`. */
  waitFor(pred: (r: Response) => boolean, what: string, ms = REQUEST_TIMEOUT_MS): Promise<Response> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.messages.find(pred);
        if (found) {
          finish();
          resolve(found);
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`expected ${what} within ${ms} ms; got instead: ${show(this.messages)}`));
      }, ms);
      const finish = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }
}

/** A client plus its inbox of unsolicited responses. */
export type Conn = NreplClient & { inbox: Inbox };

const openClients = new Set<NreplClient>();
const openSockets = new Set<Socket>();
afterEach(() => {
  for (const c of openClients) void c.end().catch(() => {});
  openClients.clear();
  for (const s of openSockets) s.destroy();
  openSockets.clear();
});

/** Connects our nREPL client (10 s per request), collecting unsolicited responses in `inbox`. */
export async function open(port: number, timeoutMs = REQUEST_TIMEOUT_MS): Promise<Conn> {
  const inbox = new Inbox();
  const client = await connect({ port }, { timeoutMs, onUnsolicited: (r) => inbox.add(r) });
  openClients.add(client);
  return Object.assign(client, { inbox });
}

/** A plain TCP socket speaking bencode: for split frames, bad bytes and disconnects. */
export interface RawConn {
  socket: Socket;
  /** Every decoded message received. */
  messages: Response[];
  write(bytes: Uint8Array | string): void;
  /** Writes `bytes` one byte per write, pausing `pauseMs` between writes so they travel as separate segments. */
  writeBytewise(bytes: Uint8Array, pauseMs?: number): Promise<void>;
  waitFor(pred: (r: Response) => boolean, what: string, ms?: number): Promise<Response>;
  /** Resolves once the server (or we) closed the socket. */
  closed: Promise<void>;
  isClosed(): boolean;
}

/** Opens a raw socket to the nREPL port. */
export async function openRaw(port: number): Promise<RawConn> {
  await loadCodec();
  const socket = netConnect({ host: '127.0.0.1', port });
  socket.setNoDelay(true);
  openSockets.add(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.on('error', () => {});
  const inbox = new Inbox();
  const reader = new FrameReader({ maxMessageBytes: 256 * 1024 * 1024 });
  socket.on('data', (chunk: Buffer) => {
    for (const m of reader.push(chunk)) inbox.add(m as Response);
  });
  let isClosed = false;
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      isClosed = true;
      resolve();
    }),
  );
  return {
    socket,
    messages: inbox.messages,
    write: (bytes) => void socket.write(bytes),
    async writeBytewise(bytes, pauseMs = 2) {
      for (const byte of bytes) {
        socket.write(Buffer.from([byte]));
        await sleep(pauseMs);
      }
    },
    waitFor: (pred, what, ms) => inbox.waitFor(pred, what, ms),
    closed,
    isClosed: () => isClosed,
  };
}

/** Encodes one request (the codec must be loaded: `openRaw`/`open` do that). */
export function frame(msg: { readonly [key: string]: Encodable }): Buffer {
  return encode(msg);
}

/** Encodes a dict with its keys in the order given (real clients send unsorted keys). Values: strings or integers. */
export function unsortedFrame(entries: ReadonlyArray<readonly [string, string | number]>): Buffer {
  const str = (s: string) => Buffer.concat([Buffer.from(`${Buffer.byteLength(s)}:`), Buffer.from(s, 'utf8')]);
  const parts: Buffer[] = [Buffer.from('d')];
  for (const [k, v] of entries) parts.push(str(k), typeof v === 'number' ? Buffer.from(`i${v}e`) : str(v));
  parts.push(Buffer.from('e'));
  return Buffer.concat(parts);
}

/**
 * Resolves when the raw connection either got a response whose status has
 * `error` or was closed by the server — the two answers the spec allows to
 * bad input. Fails, saying so, when neither happens within `ms`.
 */
export async function expectErrorOrClose(raw: RawConn, what: string, ms = 5_000): Promise<'error-response' | 'closed'> {
  const errorReply = raw.waitFor((r) => hasStatus(r, 'error'), 'x', ms + 1_000).then(() => 'error-response' as const, () => undefined);
  const closed = raw.closed.then(() => 'closed' as const);
  const timeout = sleep(ms).then(() => undefined);
  const outcome = await Promise.race([errorReply, closed, timeout]);
  if (!outcome) {
    throw new Error(`${what}: expected an error response (status containing "error") or the server closing the connection within ${ms} ms; got neither. Received: ${show(raw.messages)}`);
  }
  return outcome;
}

/** Asserts that `statuses` contains every one of `expected` (status is a set). */
export function expectStatuses(statuses: readonly string[], expected: readonly string[], what: string): void {
  expect(statuses, `${what}: expected status to contain ${JSON.stringify(expected)}, got ${JSON.stringify(statuses)}`).toEqual(expect.arrayContaining([...expected]));
}

/** Asserts that `statuses` contains none of `unexpected`. */
export function expectNoStatuses(statuses: readonly string[], unexpected: readonly string[], what: string): void {
  for (const s of unexpected) expect(statuses, `${what}: status must not contain "${s}", got ${JSON.stringify(statuses)}`).not.toContain(s);
}

/**
 * Waits `ms` after a request finished and asserts that no second `done`
 * arrived for `id` (late responses of a settled request land in the inbox).
 */
export async function expectSingleDone(conn: Conn, id: string, responses: readonly Response[], ms = 300): Promise<void> {
  await sleep(ms);
  const all = [...responses, ...conn.inbox.withId(id)];
  const dones = all.filter((r) => hasStatus(r, 'done'));
  expect(dones.length, `request ${id}: expected exactly one response with status "done", got ${dones.length}: ${show(all)}`).toBe(1);
}

/** Asserts that every response echoes the request's id and session. */
export function expectEchoes(responses: readonly Response[], id: string, session: string | undefined, what: string): void {
  for (const r of responses) {
    expect(r.id, `${what}: every response must echo id "${id}": ${show([r])}`).toBe(id);
    if (session !== undefined) expect(r.session, `${what}: every response must echo session "${session}": ${show([r])}`).toBe(session);
  }
}

/** Statuses of the responses to one request. */
export function statuses(responses: readonly Response[]): string[] {
  return statusOf(responses);
}

/** Responses as short JSON for failure messages (long strings cut). */
export function show(responses: readonly Response[]): string {
  const text = JSON.stringify(responses, (_k, v: unknown) => (typeof v === 'string' && v.length > 200 ? `${v.slice(0, 200)}…(${v.length} chars)` : v));
  return text.length > 4_000 ? `${text.slice(0, 4_000)}…` : text;
}

/** For long strings: "" when equal, else their lengths and where they first differ. */
export function stringDiff(actual: string, expected: string): string {
  if (actual === expected) return '';
  let i = 0;
  while (i < actual.length && i < expected.length && actual[i] === expected[i]) i++;
  const at = (s: string) => JSON.stringify(s.slice(Math.max(0, i - 10), i + 20));
  return `got ${actual.length} chars, expected ${expected.length}; first difference at ${i}: got ${at(actual)}, expected ${at(expected)}`;
}

/** A UUID (any version; the spec asks for v4 but some servers use other variants). */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
