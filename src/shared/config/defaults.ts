/**
 * Built-in names and every default of a server spec, with no dependencies:
 * the worker starts the default nREPL server from here without loading zod
 * or cosmiconfig when no configuration exists at all (the common case), and
 * the accept resolver reads the built-in names from here.
 */

/** The accept handlers shipped with nrepl-ts. */
export const BUILTIN_ACCEPTS = ['nrepl-ts/repl', 'nrepl-ts/prepl', 'nrepl-ts/nrepl'] as const;

/** The accept that the top-level `port`/`bind`/`socket` keys of an nREPL config file imply. */
export const NREPL_ACCEPT = 'nrepl-ts/nrepl';

/** Every default in one place. `port-file` has none here: it depends on accept (see defaultPortFile). */
export const SERVER_DEFAULTS = {
  address: '127.0.0.1',
  args: [] as unknown[],
  'bind-err': true,
  'server-daemon': true,
  'client-daemon': true,
  enabled: true,
  'allow-remote': false,
  'max-message-bytes': 64 * 1024 * 1024,
  'max-connections': 64,
  'max-sessions': 256,
  'output-buffer-bytes': 8 * 1024 * 1024,
  // A connection that completes no frame (or leaves one unfinished) this long is closed: no slowloris holds a slot.
  'frame-timeout-ms': 60_000,
} as const;

/** Defaults inside `tls`. */
export const TLS_DEFAULTS = { 'require-client-cert': false } as const;

/** `port-file` default: write one for a TCP nREPL server only. */
export function defaultPortFile(accept: string, socket: string | undefined): boolean {
  return accept === NREPL_ACCEPT && socket === undefined;
}
