/**
 * What each server field accepts, as plain predicates with no dependencies,
 * plus the key lists, the camelCase aliases and the "expected …" wording.
 *
 * Kept free of zod (about 50 ms to load) so the main thread can check a
 * configuration at exit, when a process ends before the agent worker has
 * read it (quick-check.ts). schema.ts builds its zod schemas from these same
 * predicates, so the rule lives in one place. Nothing here reads sources,
 * reports problems or merges.
 */
import { BUILTIN_ACCEPTS } from './defaults';

/** True for `nrepl-ts/...` built-ins and `specifier` or `specifier#export` module references. */
export function isAcceptRef(s: string): boolean {
  if (s.startsWith('nrepl-ts/')) return (BUILTIN_ACCEPTS as readonly string[]).includes(s);
  const hash = s.lastIndexOf('#');
  if (hash <= 0) return s.length > 0 && !/\s/.test(s);
  const spec = s.slice(0, hash);
  const name = s.slice(hash + 1);
  return spec.length > 0 && !/\s/.test(spec) && /^[\p{L}_$][\p{L}\p{N}_$]*$/u.test(name);
}

type Rule = (value: unknown) => boolean;

const nonEmptyString: Rule = (v) => typeof v === 'string' && v.length > 0;
const boolean: Rule = (v) => typeof v === 'boolean';
const intIn = (min: number, max: number): Rule => (v) => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
const positiveInt = intIn(1, Number.MAX_SAFE_INTEGER);
const isPlainMap: Rule = (v) => {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
};

/** The rule of each server field as a user writes it (kebab-case keys), in the order describeConfig prints them. */
export const SERVER_FIELD_RULES = {
  name: nonEmptyString,
  accept: (v: unknown) => typeof v === 'string' && isAcceptRef(v),
  address: nonEmptyString,
  port: intIn(0, 65535),
  socket: nonEmptyString,
  args: (v: unknown) => Array.isArray(v),
  'bind-err': boolean,
  'server-daemon': boolean,
  'client-daemon': boolean,
  enabled: boolean,
  'allow-remote': boolean,
  // The whole map is checked key by key in validate.ts; here it only has to be a map.
  tls: isPlainMap,
  'port-file': (v: unknown) => typeof v === 'boolean' || nonEmptyString(v),
  'max-message-bytes': positiveInt,
  'max-connections': positiveInt,
  'max-sessions': positiveInt,
  'output-buffer-bytes': positiveInt,
  'frame-timeout-ms': intIn(0, 2_147_483_647),
} satisfies Record<string, Rule>;

/** The rule of each field of the `tls` map (kebab-case keys). */
export const TLS_FIELD_RULES = {
  cert: nonEmptyString,
  key: nonEmptyString,
  ca: nonEmptyString,
  'require-client-cert': boolean,
} satisfies Record<string, Rule>;

/** A server field name (kebab-case). */
export type ServerField = keyof typeof SERVER_FIELD_RULES;

/** A tls field name (kebab-case). */
export type TlsField = keyof typeof TLS_FIELD_RULES;

/** All server fields, in the order describeConfig prints them. */
export const SERVER_FIELDS = Object.keys(SERVER_FIELD_RULES) as ServerField[];

/** All tls fields. */
export const TLS_FIELDS = Object.keys(TLS_FIELD_RULES) as TlsField[];

/**
 * Other spellings accepted for kebab-case keys, normalized before validation,
 * in every place a server is written (top level of a file, `servers` entries,
 * env values): camelCase, and `bind`/`host` for `address` (the words other
 * nREPL tools use in `.nrepl.edn`). `address` is the documented one.
 */
export const KEY_ALIASES: Readonly<Record<string, ServerField | TlsField>> = {
  bind: 'address',
  host: 'address',
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
