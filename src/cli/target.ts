/**
 * Where a client command connects: from `--host/--port/--socket`, from a
 * target argument (`nrepl://host:port`, `nrepl+unix:/path`, `host:port`,
 * `port`, or a socket path), or from the `.nrepl-port` file found by walking
 * up from the working directory, as nREPL tools do.
 *
 * Pure: the file system is reached only through the `read` function passed
 * in. It never connects; a stale `.nrepl-port` shows up when connecting, and
 * `describeTarget` gives the words for that message.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ConnectTarget } from '../client/client';

/** Target-related option values as given on the command line. */
export interface TargetOptions {
  host?: string;
  port?: string;
  socket?: string;
  /** A positional target (`connect`, `describe`, `sessions`). */
  target?: string;
}

/** A resolved target and, when it came from one, the port file it was read from. */
export interface ResolvedTarget {
  target: ConnectTarget;
  /** The `.nrepl-port` file the port came from. */
  portFile?: string;
}

export type TargetResult = { ok: true; resolved: ResolvedTarget } | { ok: false; error: string };

/** Reads a file as UTF-8, or undefined when it does not exist or cannot be read. */
export type ReadFile = (path: string) => string | undefined;

/** The port file name nREPL servers write and clients look for. */
export const PORT_FILE = '.nrepl-port';

const readIfExists: ReadFile = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/** Parses a port number 1-65535; undefined when `text` is not one. */
export function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text.trim())) return undefined;
  const port = Number(text.trim());
  return port >= 1 && port <= 65535 ? port : undefined;
}

/** Parses a target argument; returns an error sentence when it is none of the accepted forms. */
export function parseTargetText(text: string): ConnectTarget | string {
  const bad = `target "${text}": expected nrepl://HOST:PORT, nrepl+unix:PATH, HOST:PORT, PORT or a socket path`;
  if (text.startsWith('nrepl+unix:')) {
    const path = text.slice('nrepl+unix:'.length).replace(/^\/\/(?=\/)/, '');
    return path ? { socket: path } : bad;
  }
  let rest = text;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    if (!text.startsWith('nrepl://')) return `target "${text}": only nrepl:// and nrepl+unix: URLs are supported`;
    rest = text.slice('nrepl://'.length).replace(/\/$/, '');
  } else if (text.includes('/')) {
    return { socket: text };
  }
  const bare = parsePort(rest);
  if (bare !== undefined) return { host: '127.0.0.1', port: bare };
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d+)$/.exec(rest);
  if (!match) return bad;
  const port = parsePort(match[3]!);
  if (port === undefined) return `target "${text}": port must be 1-65535`;
  return { host: match[1] ?? match[2]!, port };
}

/** The nearest `.nrepl-port` at or above `cwd`, with its contents. */
export function findPortFile(cwd: string, read: ReadFile = readIfExists): { path: string; text: string } | undefined {
  let dir = cwd;
  for (;;) {
    const path = join(dir, PORT_FILE);
    const text = read(path);
    if (text !== undefined) return { path, text };
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Resolves the target from the options, falling back to the nearest `.nrepl-port`. */
export function resolveTarget(opts: TargetOptions, cwd: string, read: ReadFile = readIfExists): TargetResult {
  const fail = (error: string): TargetResult => ({ ok: false, error: `nrepl-ts: ${error}` });
  const ok = (target: ConnectTarget, portFile?: string): TargetResult => ({ ok: true, resolved: portFile ? { target, portFile } : { target } });
  if (opts.target !== undefined) {
    if (opts.host !== undefined || opts.port !== undefined || opts.socket !== undefined) {
      return fail(`give either a target (${opts.target}) or --host/--port/--socket, not both`);
    }
    const parsed = parseTargetText(opts.target);
    return typeof parsed === 'string' ? fail(parsed) : ok(parsed);
  }
  if (opts.socket !== undefined) {
    if (opts.host !== undefined || opts.port !== undefined) return fail('--socket cannot be combined with --host or --port');
    if (!opts.socket) return fail('--socket needs a path');
    return ok({ socket: opts.socket });
  }
  const host = opts.host || '127.0.0.1';
  if (opts.port !== undefined) {
    const port = parsePort(opts.port);
    if (port === undefined) return fail(`--port: expected a port number 1-65535, got "${opts.port}"`);
    return ok({ host, port });
  }
  const found = findPortFile(cwd, read);
  if (!found) return fail(`no ${PORT_FILE} found in ${cwd} or its parents; start the app with \`nrepl-ts run app.js\` or pass --port`);
  const port = parsePort(found.text);
  if (port === undefined) return fail(`${found.path}: expected a port number, got ${JSON.stringify(found.text.trim().slice(0, 40))}; delete the file or pass --port`);
  return ok({ host, port }, found.path);
}

/** Short text for messages: `127.0.0.1:7888`, `[::1]:7888` or `nrepl+unix:/path`. */
export function describeTarget(target: ConnectTarget): string {
  if ('socket' in target) return `nrepl+unix:${target.socket}`;
  const host = target.host ?? '127.0.0.1';
  return `${host.includes(':') ? `[${host}]` : host}:${target.port}`;
}
