/**
 * Binds one server: TCP (optionally TLS) or a unix domain socket. Runs in the
 * agent worker. Knows nothing about protocols: every accepted socket goes to
 * `onSocket`.
 *
 * Safety rules enforced here (README "Security"):
 * - a non-loopback address is refused unless clients must present
 *   certificates (mutual TLS) or the spec says `allow-remote true`, and then
 *   a loud warning line is printed (which source may say so: exposure.ts);
 * - a TLS client that has not finished its handshake within
 *   TLS_HANDSHAKE_TIMEOUT_MS is dropped, so stalled handshakes cannot pile up;
 * - TCP listens with `exclusive: true`, so cluster workers never share a
 *   fixed port round-robin (the second process gets EADDRINUSE instead);
 * - unix sockets are created owner-only (bound inside a private 0700 folder,
 *   chmod 0600, then renamed into place), a stale socket file left by a dead
 *   process is replaced, and a live one is never taken over.
 */
import { chmodSync, lstatSync, mkdtempSync, readFileSync, renameSync, rmdirSync, unlinkSync } from 'node:fs';
import * as net from 'node:net';
import { basename, dirname, join } from 'node:path';
import type * as tls from 'node:tls';
import { ErrorCodes, NreplTsError, oneLine } from '../../errors';
import { say } from '../../log';
import { EXPOSURE_REMEDY, isLoopback, isMutualTls } from '../../shared/config/exposure';
import { fileIdentity, guardFile, type Watchdog } from './port-file';

export { isLoopback } from '../../shared/config/exposure';

/** A TLS client gets this long to finish its handshake (Node's own default is 120 s). */
export const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

/** The fields of a validated server spec that binding needs. */
export interface ListenSpec {
  name: string;
  address: string;
  port?: number;
  socket?: string;
  tls?: { cert: string; key: string; ca?: string; 'require-client-cert'?: boolean };
  'allow-remote'?: boolean;
}

/** A bound server. */
export interface Bound {
  server: net.Server;
  host?: string;
  port?: number;
  socket?: string;
  /** `dev:ino` of the unix socket file this server created (only that file is ever removed). */
  socketId?: string;
  /** The watchdog of the unix socket file; release it when the server stops. */
  watchdog?: Watchdog;
  tls: boolean;
}

/** Binds `spec`; rejects with an NreplTsError (code LISTEN or EXPOSED) whose message is one line. */
export async function bind(spec: ListenSpec, onSocket: (socket: net.Socket) => void): Promise<Bound> {
  const server = spec.tls ? await createTlsServer(spec, onSocket) : net.createServer({ noDelay: true }, onSocket);
  if (spec.socket !== undefined) {
    const { id, watchdog } = await bindUnixSocket(server, spec.name, spec.socket);
    return { server, socket: spec.socket, socketId: id, watchdog, tls: spec.tls !== undefined };
  }
  const address = spec.address;
  if (!isLoopback(address)) {
    if (!isMutualTls(spec.tls) && !spec['allow-remote']) {
      throw new NreplTsError(
        ErrorCodes.EXPOSED,
        `server ${spec.name}: refusing to listen on non-loopback address ${address} without client certificates: anyone who can reach it could run code in this process; ${EXPOSURE_REMEDY}`,
        spec.name,
      );
    }
  }
  await listenOn(server, spec.name, { host: address, port: spec.port ?? 0, exclusive: true }, `${address}:${spec.port ?? 0}`);
  const addr = server.address() as net.AddressInfo;
  if (!isLoopback(address)) {
    say(
      `WARNING: server ${spec.name} listens on ${address}:${addr.port}${spec.tls ? ' (TLS)' : ' WITHOUT TLS'}: this process is exposed to the network`,
    );
  }
  return { server, host: address, port: addr.port, tls: spec.tls !== undefined };
}

async function createTlsServer(spec: ListenSpec, onSocket: (socket: net.Socket) => void): Promise<net.Server> {
  const t = spec.tls!;
  const read = (field: string, path: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new NreplTsError(ErrorCodes.LISTEN, `server ${spec.name}: tls.${field}: cannot read ${path}: ${oneLine(err)}`, spec.name);
    }
  };
  const options: tls.TlsOptions = {
    cert: read('cert', t.cert),
    key: read('key', t.key),
    ca: t.ca ? read('ca', t.ca) : undefined,
    requestCert: t['require-client-cert'] === true,
    rejectUnauthorized: t['require-client-cert'] === true,
    handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS,
  };
  const tlsModule = await import('node:tls');
  let server: tls.Server;
  try {
    server = tlsModule.createServer(options, (socket) => {
      socket.setNoDelay(true);
      onSocket(socket);
    });
  } catch (err) {
    throw new NreplTsError(ErrorCodes.LISTEN, `server ${spec.name}: invalid TLS material: ${oneLine(err)}`, spec.name);
  }
  // A failed or timed-out handshake concerns one client only; it must not reach 'error' of the server.
  // With this listener Node leaves the socket open: end it here, or a stalled handshake is never dropped.
  server.on('tlsClientError', (_err, socket) => socket.destroy());
  return server;
}

function listenOn(server: net.Server, name: string, options: net.ListenOptions, where: string): Promise<void> {
  return new Promise((resolveListen, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(new NreplTsError(ErrorCodes.LISTEN, `server ${name}: cannot listen on ${where}: ${explainListenError(err)}`, name));
    };
    const onListening = () => {
      server.off('error', onError);
      // From now on a server with no 'error' listener would throw in the worker on a late failure.
      server.on('error', (err) => say(`server ${name}: ${oneLine(err)}`));
      resolveListen();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(options);
  });
}

/** One sentence per common listen failure, saying what to do. */
export function explainListenError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'EADDRINUSE':
      return 'address already in use (another process holds it: maybe a second instance, a cluster worker or a child that inherited NODE_OPTIONS); choose another port or use port 0';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied; ports below 1024 need privileges, use a higher port';
    case 'EADDRNOTAVAIL':
      return 'address not available on this machine; check :address';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host name could not be resolved; check :address';
    default:
      return oneLine(err);
  }
}

async function bindUnixSocket(server: net.Server, name: string, path: string): Promise<{ id: string; watchdog: Watchdog }> {
  await removeStaleSocket(name, path);
  // Bind inside a private folder so the socket is never reachable by others, even
  // for the instant before chmod; then move it into place (same filesystem).
  let privateDir: string;
  try {
    privateDir = mkdtempSync(join(dirname(path), `.${basename(path)}-`));
  } catch (err) {
    throw new NreplTsError(ErrorCodes.LISTEN, `server ${name}: cannot create socket ${path}: ${explainListenError(err as NodeJS.ErrnoException)}`, name);
  }
  const temporary = join(privateDir, 's');
  let watchdog: Watchdog | undefined;
  try {
    await listenOn(server, name, { path: temporary }, path);
    chmodSync(temporary, 0o600);
    // The rename keeps the inode: the watchdog will remove this socket and never a later one at the same path.
    const id = fileIdentity(temporary);
    if (id === undefined) throw new Error(`${temporary} vanished after listen`);
    watchdog = guardFile(path, id);
    renameSync(temporary, path);
    return { id, watchdog };
  } catch (err) {
    watchdog?.release();
    server.close();
    throw err instanceof NreplTsError ? err : new NreplTsError(ErrorCodes.LISTEN, `server ${name}: cannot create socket ${path}: ${oneLine(err)}`, name);
  } finally {
    try {
      rmdirSync(privateDir);
    } catch {
      // Already empty and gone, or still holding the socket after a failure: nothing to do.
    }
  }
}

async function removeStaleSocket(name: string, path: string): Promise<void> {
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return;
  }
  if (!stat.isSocket()) {
    throw new NreplTsError(ErrorCodes.LISTEN, `server ${name}: ${path} exists and is not a socket; remove it or choose another :socket path`, name);
  }
  const live = await new Promise<boolean>((resolveProbe) => {
    const probe = net.connect({ path });
    probe.once('connect', () => {
      probe.destroy();
      resolveProbe(true);
    });
    probe.once('error', () => resolveProbe(false));
  });
  if (live) {
    throw new NreplTsError(ErrorCodes.LISTEN, `server ${name}: socket ${path} is in use by a live process; stop it or choose another :socket path`, name);
  }
  try {
    unlinkSync(path);
  } catch (err) {
    throw new NreplTsError(ErrorCodes.LISTEN, `server ${name}: cannot remove stale socket ${path}: ${oneLine(err)}`, name);
  }
}
