/**
 * The inspector side of `nrepl-ts attach`: which TCP ports a process listens
 * on (from /proc, so the attacher knows whose port it is talking to), the
 * inspector's HTTP discovery (`/json/list`), and a DevTools protocol session
 * over websocket.ts with `call(method, params)`.
 *
 * It does not signal processes or decide anything (attach.ts does).
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { get } from 'node:http';
import { connect as netConnect } from 'node:net';
import { openWebSocket, type WebSocketClient } from './websocket';

/** Local ports in LISTEN state, with their socket inodes, from /proc/net/tcp{,6} text. Pure. */
export function parseListening(text: string): Array<{ port: number; inode: number }> {
  const out: Array<{ port: number; inode: number }> = [];
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 10 || cols[3] !== '0A') continue;
    const port = parseInt(cols[1]!.split(':')[1] ?? '', 16);
    const inode = Number(cols[9]);
    if (Number.isFinite(port) && inode > 0) out.push({ port, inode });
  }
  return out;
}

/** The TCP ports `pid` listens on (empty where /proc cannot tell). */
export function listeningPorts(pid: number): Set<number> {
  const inodes = new Set<number>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (match) inodes.add(Number(match[1]));
      } catch {
        // Closed meanwhile.
      }
    }
  } catch {
    return new Set();
  }
  const ports = new Set<number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      for (const row of parseListening(readFileSync(table, 'utf8'))) if (inodes.has(row.inode)) ports.add(row.port);
    } catch {
      // No IPv6 table.
    }
  }
  return ports;
}

/** True when something accepts TCP connections on host:port. */
export function portOpen(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect({ host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** GET http://host:port/path as JSON; rejects with one sentence. */
export function getJson(host: string, port: number, path: string, timeoutMs = 2_000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const request = get({ host, port, path, timeout: timeoutMs }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => {
        try {
          resolve(JSON.parse(body));
        } catch {
          reject(new Error(`http://${host}:${port}${path} did not answer JSON`));
        }
      });
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', (err) => reject(new Error(`http://${host}:${port}${path}: ${err.message}`)));
  });
}

/** The first debuggable target's WebSocket URL from `/json/list`, or undefined. */
export async function debuggerUrl(host: string, port: number): Promise<string | undefined> {
  const list = await getJson(host, port, '/json/list');
  if (!Array.isArray(list)) return undefined;
  const first = list.find((t: { webSocketDebuggerUrl?: unknown }) => typeof t?.webSocketDebuggerUrl === 'string') as { webSocketDebuggerUrl: string } | undefined;
  return first?.webSocketDebuggerUrl;
}

/** A DevTools protocol session. */
export class InspectorSession {
  private nextId = 0;
  private readonly waiting = new Map<number, (reply: { result?: unknown; error?: { message?: string } }) => void>();

  private constructor(private readonly ws: WebSocketClient) {
    ws.onMessage((text) => {
      let reply: { id?: number; result?: unknown; error?: { message?: string } };
      try {
        reply = JSON.parse(text) as typeof reply;
      } catch {
        return;
      }
      if (reply.id === undefined) return; // an event
      const waiter = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      waiter?.(reply);
    });
  }

  static async open(url: string): Promise<InspectorSession> {
    return new InspectorSession(await openWebSocket(url));
  }

  /** Resolves with the result; rejects on a protocol error, on `timeoutMs`, or when the session closes first. */
  call(method: string, params: Record<string, unknown>, timeoutMs: number): Promise<unknown> {
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`no answer to ${method} within ${timeoutMs} ms`));
      }, timeoutMs);
      void this.ws.closed.then(() => {
        if (!this.waiting.delete(id)) return;
        clearTimeout(timer);
        reject(new Error(`the inspector closed before answering ${method}`));
      });
      this.waiting.set(id, (reply) => {
        clearTimeout(timer);
        if (reply.error) reject(new Error(`${method}: ${reply.error.message ?? 'failed'}`));
        else resolve(reply.result);
      });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Sends without waiting for the answer (for a call that closes the session itself). */
  fire(method: string, params: Record<string, unknown>): void {
    this.ws.send(JSON.stringify({ id: ++this.nextId, method, params }));
  }

  get closed(): Promise<void> {
    return this.ws.closed;
  }

  close(): void {
    this.ws.close();
  }
}
