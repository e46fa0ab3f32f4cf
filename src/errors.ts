/**
 * The error catalogue: every problem nrepl-ts reports has a stable code, and
 * every report is one line, prefixed `nrepl-ts:`, naming where it came from.
 *
 * This module only formats and classifies; it never prints (see log.ts) and
 * never throws on its own.
 */

/** Stable codes. Names never change once released; tests assert them. */
export const ErrorCodes = {
  /** A config value could not be parsed as EDN or JSON. */
  CONFIG_PARSE: 'NREPL_CONFIG_PARSE',
  /** A config value parsed but a field is missing or has the wrong type/range. */
  CONFIG_INVALID: 'NREPL_CONFIG_INVALID',
  /** A config map has a key nrepl-ts does not know. */
  CONFIG_UNKNOWN_KEY: 'NREPL_CONFIG_UNKNOWN_KEY',
  /** A config file exists but could not be read or loaded (JS config that throws, bad YAML...). */
  CONFIG_FILE: 'NREPL_CONFIG_FILE',
  /** A server could not listen (port taken, permission, bad address, live unix socket). */
  LISTEN: 'NREPL_LISTEN',
  /** An accept handler could not be resolved or threw while starting a connection. */
  ACCEPT: 'NREPL_ACCEPT',
  /** A server listens on a non-loopback address (warning) or was refused for it. */
  EXPOSED: 'NREPL_EXPOSED',
  /** A Node version or runtime feature the agent needs is missing. */
  RUNTIME: 'NREPL_RUNTIME',
  /** A bug in nrepl-ts itself: reported, never allowed to reach the host. */
  INTERNAL: 'NREPL_INTERNAL',
  /** The agent worker has stopped (out of memory, a crash): its servers are gone until the app restarts. */
  AGENT_STOPPED: 'NREPL_AGENT_STOPPED',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** An error raised by nrepl-ts code, carrying a stable code and its source. */
export class NreplTsError extends Error {
  readonly code: ErrorCode;
  /** Where the problem comes from: an env var name, a file path, or a server name. */
  readonly source: string | undefined;

  constructor(code: ErrorCode, message: string, source?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NreplTsError';
    this.code = code;
    this.source = source;
  }
}

/** A problem found while loading configuration; the agent reports it and goes on. */
export interface Problem {
  code: ErrorCode;
  /** Env var name (`NREPL_SERVER_DEV`) or absolute file path. */
  source: string;
  /** Dotted path to the field inside that source (`servers.dev.port`), empty for the whole value. */
  path: string;
  /** What was wrong and what to do, without the source/path prefix. */
  message: string;
}

/** Formats a problem as the one line users see: `nrepl-ts: SOURCE: PATH: MESSAGE`. */
export function formatProblem(p: Problem): string {
  const where = p.path ? `${p.source}: ${p.path}` : p.source;
  return `nrepl-ts: ${where}: ${p.message}`;
}

/** Formats any thrown value as a single line (no stack), for reports that must not span lines. */
export function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
