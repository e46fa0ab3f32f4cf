/**
 * The shape of a socket server spec: zod schemas, the types inferred from
 * them, the defaults, the camelCase aliases and the one-line description of
 * what each field expects (used in error messages).
 *
 * Keys are Clojure-style kebab-case, as in clojure.core.server. This module
 * only declares; checking raw definitions is validate.ts, merging is load.ts.
 */
import { z } from 'zod';

import { BUILTIN_ACCEPTS } from './defaults';

export { BUILTIN_ACCEPTS, NREPL_ACCEPT, SERVER_DEFAULTS, TLS_DEFAULTS, defaultPortFile } from './defaults';

/** True for `nrepl-ts/...` built-ins and `specifier` or `specifier#export` module references. */
function isAcceptRef(s: string): boolean {
  if (s.startsWith('nrepl-ts/')) return (BUILTIN_ACCEPTS as readonly string[]).includes(s);
  const hash = s.lastIndexOf('#');
  if (hash <= 0) return s.length > 0 && !/\s/.test(s);
  const spec = s.slice(0, hash);
  const name = s.slice(hash + 1);
  return spec.length > 0 && !/\s/.test(spec) && /^[\p{L}_$][\p{L}\p{N}_$]*$/u.test(name);
}

const positiveInt = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

/** Schemas of the `tls` map's fields (kebab-case keys). */
export const tlsFieldSchemas = {
  cert: z.string().min(1),
  key: z.string().min(1),
  ca: z.string().min(1),
  'require-client-cert': z.boolean(),
};

/** Schema of a resolved `tls` map. */
export const TlsSchema = z.strictObject({
  cert: tlsFieldSchemas.cert,
  key: tlsFieldSchemas.key,
  ca: tlsFieldSchemas.ca.optional(),
  'require-client-cert': tlsFieldSchemas['require-client-cert'],
});

/** Schemas of a server spec's fields as a user writes them (kebab-case keys). */
export const serverFieldSchemas = {
  name: z.string().min(1),
  accept: z.string().refine(isAcceptRef),
  address: z.string().min(1),
  port: z.number().int().min(0).max(65535),
  socket: z.string().min(1),
  args: z.array(z.unknown()),
  'bind-err': z.boolean(),
  'server-daemon': z.boolean(),
  'client-daemon': z.boolean(),
  enabled: z.boolean(),
  'allow-remote': z.boolean(),
  // The whole map is checked key by key in validate.ts; here it only has to be a map.
  tls: z.record(z.string(), z.unknown()),
  'port-file': z.union([z.boolean(), z.string().min(1)]),
  'max-message-bytes': positiveInt,
  'max-connections': positiveInt,
  'max-sessions': positiveInt,
  'output-buffer-bytes': positiveInt,
  'frame-timeout-ms': z.number().int().min(0).max(2_147_483_647),
};

/** A server field name (kebab-case). */
export type ServerField = keyof typeof serverFieldSchemas;

/** A tls field name (kebab-case). */
export type TlsField = keyof typeof tlsFieldSchemas;

/** All server fields, in the order describeConfig prints them. */
export const SERVER_FIELDS = Object.keys(serverFieldSchemas) as ServerField[];

/** All tls fields. */
export const TLS_FIELDS = Object.keys(tlsFieldSchemas) as TlsField[];

/** camelCase spellings accepted for kebab-case keys, normalized before validation. */
export const KEY_ALIASES: Readonly<Record<string, ServerField | TlsField>> = {
  bindErr: 'bind-err',
  serverDaemon: 'server-daemon',
  clientDaemon: 'client-daemon',
  allowRemote: 'allow-remote',
  portFile: 'port-file',
  maxMessageBytes: 'max-message-bytes',
  maxConnections: 'max-connections',
  maxSessions: 'max-sessions',
  outputBufferBytes: 'output-buffer-bytes',
  frameTimeoutMs: 'frame-timeout-ms',
  requireClientCert: 'require-client-cert',
};

/** What each field expects, completing "expected …, got X" in error messages. */
export const EXPECTED: Readonly<Record<ServerField | TlsField, string>> = {
  name: 'a non-empty string',
  accept: `${BUILTIN_ACCEPTS.join(', ')} or a module specifier with an optional #export, such as "./accept.js#handle"`,
  address: 'a host name or IP address string, such as "127.0.0.1"',
  port: 'an integer 0-65535',
  socket: 'a unix socket path string',
  args: 'a vector/array of arguments',
  'bind-err': 'a boolean',
  'server-daemon': 'a boolean',
  'client-daemon': 'a boolean',
  enabled: 'a boolean',
  'allow-remote': 'a boolean',
  tls: 'a map with "cert" and "key" file paths',
  'port-file': 'true, false or a file path string',
  'max-message-bytes': 'a positive integer',
  'max-connections': 'a positive integer',
  'max-sessions': 'a positive integer',
  'output-buffer-bytes': 'a positive integer',
  'frame-timeout-ms': 'an integer number of milliseconds, 0 for none',
  cert: 'a certificate file path string',
  key: 'a private key file path string',
  ca: 'a CA certificate file path string',
  'require-client-cert': 'a boolean',
};

/** Where a resolved spec came from, for resolving its accept module. */
export const OriginSchema = z.strictObject({
  /** Absolute path of the file that set `accept`; undefined when it came from the environment. */
  file: z.string().optional(),
  /** Folder relative module specifiers in `accept` are resolved from (the file's folder, or cwd). */
  baseDir: z.string(),
});

/** A validated, defaulted server spec, ready to start. Paths in socket/tls/port-file are absolute. */
export const ServerSpecSchema = z.strictObject({
  name: serverFieldSchemas.name,
  accept: serverFieldSchemas.accept,
  /** Ignored when `socket` is set. */
  address: serverFieldSchemas.address,
  /** Set exactly when `socket` is not. */
  port: serverFieldSchemas.port.optional(),
  socket: serverFieldSchemas.socket.optional(),
  args: serverFieldSchemas.args,
  'bind-err': z.boolean(),
  'server-daemon': z.boolean(),
  'client-daemon': z.boolean(),
  enabled: z.boolean(),
  'allow-remote': z.boolean(),
  tls: TlsSchema.optional(),
  'port-file': serverFieldSchemas['port-file'],
  'max-message-bytes': positiveInt,
  'max-connections': positiveInt,
  'max-sessions': positiveInt,
  'output-buffer-bytes': positiveInt,
  'frame-timeout-ms': serverFieldSchemas['frame-timeout-ms'],
  origin: OriginSchema,
});

/** A validated server spec (kebab-case keys, as in the config). */
export type ServerSpec = z.infer<typeof ServerSpecSchema>;

/** The resolved `tls` map. */
export type TlsSpec = z.infer<typeof TlsSchema>;

/** Where a spec's accept came from. */
export type SpecOrigin = z.infer<typeof OriginSchema>;
