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
import { clientSocket, type Endianness, type Endpoint, type TableReader } from '../connection/proc-net-tcp';
import { isLoopback } from '../../shared/config/exposure';

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
  if (!isLocalClient(client, server)) return undefined;
  return judgePeer(client, clientSocket(client, server, ctx)?.uid, ctx.ownUid);
}

/** True for the clients the check applies to: on this machine (loopback, or the server's own address). */
export function isLocalClient(client: Endpoint, server: Endpoint): boolean {
  return isLoopback(client.address) || client.address === server.address;
}

/** The verdict on a local client whose socket belongs to `uid` (undefined: not found). */
export function judgePeer(client: Endpoint, uid: number | undefined, ownUid: number): string | undefined {
  if (uid === undefined) return `cannot tell which user ${client.address}:${client.port} runs as (no row in /proc/net/tcp)`;
  if (uid === ownUid || uid === 0) return undefined;
  return `it runs as uid ${uid}, not as this process's uid ${ownUid} (or root)`;
}
