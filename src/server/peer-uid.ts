/**
 * Which local user a loopback TCP client runs as (Linux): the owner uid of
 * the client's own socket, read from /proc/net/tcp and /proc/net/tcp6, whose
 * row has the client's address:port as its local end and the server's as
 * its remote end. A client of another uid is refused: on loopback any local
 * account could otherwise run code as the app's user. Root (uid 0) is let in,
 * since it can read and change the process's memory anyway.
 *
 * The tables are read by connection/proc-net-tcp.ts; `peerRefusal` takes
 * an injectable reader. On other platforms, and for clients
 * from other machines, there is nothing to check. Unix sockets need no
 * check: they are created owner-only (0600, listen.ts).
 */
import { clientSocket, systemTableReader, type Endianness, type Endpoint, type TableReader } from '../connection/proc-net-tcp';
import { isLoopback } from './exposure';

export { findSocketUid, procAddress, scanTable, type Endpoint, type TableReader } from '../connection/proc-net-tcp';

/** What peerRefusal needs to know about the process and the machine. */
export interface PeerCheckContext {
  ownUid: number;
  read: TableReader;
  order?: Endianness;
}

/**
 * Why this client must be turned away, or undefined to let it in. Only
 * clients on this machine are checked (a loopback address, or the server's
 * own address); a client whose socket cannot be found is refused.
 */
export function peerRefusal(client: Endpoint, server: Endpoint, ctx: PeerCheckContext): string | undefined {
  if (!isLoopback(client.address) && client.address !== server.address) return undefined;
  const uid = clientSocket(client, server, ctx)?.uid;
  if (uid === undefined) return `cannot tell which user ${client.address}:${client.port} runs as (no row in /proc/net/tcp)`;
  if (uid === ctx.ownUid || uid === 0) return undefined;
  return `it runs as uid ${uid}, not as this process's uid ${ctx.ownUid} (or root)`;
}

/** The check's context on this machine; undefined where the tables cannot be read (no check; README). */
export function systemPeerContext(): PeerCheckContext | undefined {
  const read = systemTableReader();
  if (!read || typeof process.getuid !== 'function') return undefined;
  return { ownUid: process.getuid(), read };
}
