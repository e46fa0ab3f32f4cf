/**
 * Linux's tables of TCP sockets (/proc/net/tcp and /proc/net/tcp6), read
 * for what Node does not tell about a client on this machine: which user
 * owns its socket (server/peer-uid.ts refuses other users), and whether a
 * process still holds it at all (a client that half-closed to wait for its
 * answers does; `nc` killed with Ctrl-C does not: its side lingers in
 * FIN_WAIT2 with inode 0; connection/socket-connection.ts).
 *
 * Addresses are encoded the way the kernel prints them and searched with one
 * indexOf per chunk, never split into rows: a busy host's table has
 * thousands. The encoding and search are pure; `systemTableReader` reads the
 * files, and is undefined where they do not exist (other platforms).
 */
import { endianness as osEndianness } from 'node:os';
import { isIPv4, isIPv6 } from 'node:net';

/** What the table says of one socket. */
export interface SocketRow {
  uid: number;
  /** 0 once no process holds the socket any more. */
  inode: number;
}

/** Byte order of the numbers the kernel prints in /proc/net/tcp. */
export type Endianness = 'LE' | 'BE';

/** One end of a TCP connection. */
export interface Endpoint {
  address: string;
  port: number;
}

/** The 16 bytes of an IPv6 address (IPv4 gives its IPv4-mapped form). */
function ipv6Bytes(address: string): number[] {
  if (isIPv4(address)) return [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...address.split('.').map(Number)];
  let text = address.toLowerCase();
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  let v4: number[] = [];
  if (tail) {
    v4 = tail[1].split('.').map(Number);
    text = `${text.slice(0, -tail[1].length)}0:0`;
  }
  const [head, rest = ''] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = text.includes('::') ? (rest === '' ? [] : rest.split(':')) : [];
  const groups = [...left, ...Array(8 - left.length - right.length).fill('0'), ...right].map((g) => parseInt(g, 16));
  const bytes = groups.flatMap((g) => [g >> 8, g & 0xff]);
  if (v4.length === 4) bytes.splice(12, 4, ...v4);
  return bytes;
}

/** Bytes as the kernel prints them: each 32-bit word as a native integer, %08X. */
function words(bytes: number[], order: Endianness): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 4) {
    const word = bytes.slice(i, i + 4);
    if (order === 'LE') word.reverse();
    out += word.map((b) => b.toString(16).padStart(2, '0')).join('');
  }
  return out.toUpperCase();
}

/**
 * `address:port` as a /proc/net/tcp (`v4`) or /proc/net/tcp6 (`v6`) column,
 * e.g. 127.0.0.1:8080 → `0100007F:1F90` on little-endian. Undefined when the
 * address cannot appear in that table (an IPv6 address in tcp).
 */
export function procAddress(endpoint: Endpoint, table: 'v4' | 'v6', order: Endianness = osEndianness()): string | undefined {
  const port = endpoint.port.toString(16).toUpperCase().padStart(4, '0');
  const address = endpoint.address.replace(/%.*$/, ''); // zone id
  if (table === 'v6') return isIPv4(address) || isIPv6(address) ? `${words(ipv6Bytes(address), order)}:${port}` : undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const v4 = mapped ? mapped[1] : address;
  if (!isIPv4(v4)) return undefined;
  return `${words(v4.split('.').map(Number), order)}:${port}`;
}

/**
 * The uid column of the row of `lines` (whole lines of /proc/net/tcp or
 * tcp6) whose local address is `local` and remote address is `remote`, both
 * in /proc form (see procAddress; the kernel prints upper-case hex).
 * Undefined when there is no such row. One indexOf, no splitting: the table
 * of a busy host has thousands of rows.
 */
export function findSocketRow(lines: string, local: string, remote: string): SocketRow | undefined {
  // Row: "  sl: local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ..."
  const needle = `: ${local} ${remote} `;
  const at = lines.indexOf(needle);
  if (at < 0) return undefined;
  const end = lines.indexOf('\n', at);
  const after = lines.slice(at + needle.length, end < 0 ? undefined : end).trim().split(/\s+/);
  const uid = Number(after[4]); // st, queues, timer, retrnsmt, uid
  const inode = Number(after[6]); // timeout, inode
  if (after.length <= 6 || !Number.isInteger(uid) || !Number.isInteger(inode)) return undefined;
  return { uid, inode };
}

/** The uid column of that row (see findSocketRow). */
export function findSocketUid(lines: string, local: string, remote: string): number | undefined {
  return findSocketRow(lines, local, remote)?.uid;
}

/**
 * Reads one table (`tcp` or `tcp6` under /proc/net) in order, handing each
 * chunk of text to `onChunk` until it returns true (found: stop reading,
 * which spares the kernel generating the rest) or the table ends. Throws
 * when the table cannot be read.
 */
export type TableReader = (name: 'tcp' | 'tcp6', onChunk: (text: string) => boolean) => void;

/** Searches a table read chunk by chunk; lines cut at a chunk's end are completed by the next chunk. */
export function scanTable(read: TableReader, name: 'tcp' | 'tcp6', local: string, remote: string): SocketRow | undefined {
  let carry = '';
  let row: SocketRow | undefined;
  read(name, (chunk) => {
    const text = carry + chunk;
    const lastNewline = text.lastIndexOf('\n');
    row = findSocketRow(text.slice(0, lastNewline + 1), local, remote);
    carry = text.slice(lastNewline + 1);
    return row !== undefined;
  });
  return row ?? (carry === '' ? undefined : findSocketRow(`${carry}\n`, local, remote));
}


/**
 * The row of the client socket of a connection seen by the server (`client`
 * = the server socket's remote end, `server` = its local end): its owner uid,
 * and inode 0 once no process holds it. Undefined when neither table has it.
 */
export function clientSocket(client: Endpoint, server: Endpoint, ctx: { read: TableReader; order?: Endianness }): SocketRow | undefined {
  for (const [name, kind] of [['tcp', 'v4'], ['tcp6', 'v6']] as const) {
    const local = procAddress(client, kind, ctx.order);
    const remote = procAddress(server, kind, ctx.order);
    if (local === undefined || remote === undefined) continue;
    let row: SocketRow | undefined;
    try {
      row = scanTable(ctx.read, name, local, remote);
    } catch {
      continue; // no IPv6 on this machine, say
    }
    if (row !== undefined) return row;
  }
  return undefined;
}

/**
 * Reads the tables on this machine: Linux with a readable /proc/net/tcp;
 * undefined elsewhere. Synchronous: it runs in the agent worker, never on the
 * host's main thread.
 */
export function systemTableReader(): TableReader | undefined {
  if (process.platform !== 'linux') return undefined;
  const fs = require('node:fs') as typeof import('node:fs');
  const buffer = Buffer.alloc(64 * 1024);
  const read: TableReader = (name, onChunk) => {
    const fd = fs.openSync(`/proc/net/${name}`, 'r');
    try {
      for (;;) {
        const n = fs.readSync(fd, buffer, 0, buffer.length, null);
        if (n === 0 || onChunk(buffer.toString('latin1', 0, n))) return;
      }
    } finally {
      fs.closeSync(fd);
    }
  };
  try {
    read('tcp', () => true);
  } catch {
    return undefined;
  }
  return read;
}

/**
 * Many lookups, one pass: reading the tables costs the kernel time for every
 * row (a busy host has thousands, mostly TIME_WAIT), so a flood of
 * connections must not cost one pass each. Lookups wait for the next pass;
 * a pass serves every lookup queued when it starts and stops reading once
 * all are found; the next pass starts no sooner than the last one took, so
 * a flood leaves the worker at least half of its time for everything else.
 */
export class SocketLookups {
  private queue: Array<{ client: Endpoint; server: Endpoint; resolve: (row: SocketRow | undefined) => void; tries: number }> = [];
  private scheduled = false;
  private nextPassAt = 0;

  constructor(
    private readonly read: TableReader,
    private readonly order?: Endianness,
  ) {}

  /** The row of the client socket of a connection seen by the server (see clientSocket). */
  lookup(client: Endpoint, server: Endpoint): Promise<SocketRow | undefined> {
    return new Promise((resolve) => {
      this.queue.push({ client, server, resolve, tries: 0 });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const wait = Math.max(0, this.nextPassAt - performance.now());
    const run = () => {
      this.scheduled = false;
      this.pass();
    };
    if (wait > 0) setTimeout(run, wait).unref();
    else setImmediate(run).unref();
  }

  private pass(): void {
    const batch = this.queue.splice(0);
    if (batch.length === 0) return;
    const started = performance.now();
    const found = new Array<SocketRow | undefined>(batch.length);
    for (const [name, kind] of [['tcp', 'v4'], ['tcp6', 'v6']] as const) {
      const wanted: Array<{ index: number; local: string; remote: string }> = [];
      batch.forEach((entry, index) => {
        if (found[index] !== undefined) return;
        const local = procAddress(entry.client, kind, this.order);
        const remote = procAddress(entry.server, kind, this.order);
        if (local !== undefined && remote !== undefined) wanted.push({ index, local, remote });
      });
      if (wanted.length === 0) continue;
      let carry = '';
      const search = (text: string): boolean => {
        for (let i = wanted.length - 1; i >= 0; i--) {
          const w = wanted[i]!;
          const row = findSocketRow(text, w.local, w.remote);
          if (row !== undefined) {
            found[w.index] = row;
            wanted.splice(i, 1);
          }
        }
        return wanted.length === 0;
      };
      try {
        this.read(name, (chunk) => {
          const text = carry + chunk;
          const lastNewline = text.lastIndexOf('\n');
          carry = text.slice(lastNewline + 1);
          return search(text.slice(0, lastNewline + 1));
        });
        if (carry !== '' && wanted.length > 0) search(`${carry}\n`);
      } catch {
        // No such table on this machine (no IPv6, say): nothing found in it.
      }
    }
    batch.forEach((entry, index) => {
      // The kernel writes the table a chunk per read, not at one instant: a row can move between two
      // reads while connections come and go, and be missed. Not found twice is not there.
      if (found[index] === undefined && entry.tries === 0) this.queue.push({ ...entry, tries: 1 });
      else entry.resolve(found[index]);
    });
    this.nextPassAt = performance.now() + (performance.now() - started);
    if (this.queue.length > 0) this.schedule();
  }
}

let lookups: SocketLookups | null | undefined;

/** This machine's shared SocketLookups, or undefined where the tables cannot be read. */
export function systemLookups(): SocketLookups | undefined {
  if (lookups === undefined) {
    const read = systemTableReader();
    lookups = read ? new SocketLookups(read) : null;
  }
  return lookups ?? undefined;
}
