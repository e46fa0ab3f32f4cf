/**
 * Linux's table of TCP sockets (/proc/net/tcp and /proc/net/tcp6), read for
 * what Node does not tell about a loopback client: whether the process at
 * the other end still holds its socket (a client that half-closed to wait
 * for answers does; `nc` killed with Ctrl-C does not: its side lingers in
 * FIN_WAIT2 with no owner, inode 0), and which user owns it.
 *
 * The parser is pure (`parseProcNetTcp`); `findSocket` reads the files and
 * answers undefined wherever they do not exist (other platforms) or hold no
 * such row.
 */
import { readFileSync } from 'node:fs';

/** One row of /proc/net/tcp{,6}. */
export interface TcpRow {
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  /** The kernel's state number (1 ESTABLISHED, 5 FIN_WAIT2, 8 CLOSE_WAIT...). */
  state: number;
  uid: number;
  /** 0 when no process holds the socket any more. */
  inode: number;
}

/** The kernel's hex address (each 32-bit word in host byte order, little-endian here) as text. */
export function decodeAddress(hex: string): string {
  const words: number[] = [];
  for (let i = 0; i < hex.length; i += 8) words.push(Number.parseInt(hex.slice(i, i + 8), 16));
  const bytes: number[] = [];
  for (const w of words) bytes.push(w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, (w >>> 24) & 0xff);
  if (bytes.length === 4) return bytes.join('.');
  // IPv4-mapped IPv6 (::ffff:a.b.c.d) reads as the IPv4 address, as Node reports it for dual-stack sockets.
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) return `::ffff:${bytes.slice(12).join('.')}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

/** Parses the text of /proc/net/tcp or /proc/net/tcp6. Malformed lines are skipped. */
export function parseProcNetTcp(text: string): TcpRow[] {
  const rows: TcpRow[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const [localAddr, localPort] = f[1]!.split(':');
    const [remoteAddr, remotePort] = f[2]!.split(':');
    if (!localAddr || !localPort || !remoteAddr || !remotePort) continue;
    rows.push({
      localAddress: decodeAddress(localAddr),
      localPort: Number.parseInt(localPort, 16),
      remoteAddress: decodeAddress(remoteAddr),
      remotePort: Number.parseInt(remotePort, 16),
      state: Number.parseInt(f[3]!, 16),
      uid: Number(f[7]),
      inode: Number(f[9]),
    });
  }
  return rows;
}

function sameAddress(a: string, b: string): boolean {
  const plain = (x: string) => x.replace(/^::ffff:/, '');
  return plain(a) === plain(b);
}

/**
 * The row of the socket whose own address is `address:port` and whose peer is
 * `peerAddress:peerPort` — seen from the server, the client's socket — or
 * undefined when it cannot be known.
 */
export function findSocket(address: string, port: number, peerAddress: string, peerPort: number): TcpRow | undefined {
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const row = parseProcNetTcp(text).find(
      (r) => r.localPort === port && r.remotePort === peerPort && sameAddress(r.localAddress, address) && sameAddress(r.remoteAddress, peerAddress),
    );
    if (row) return row;
  }
  return undefined;
}
