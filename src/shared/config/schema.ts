/**
 * The shape of a socket server spec: zod schemas, the types inferred from
 * them. The rules themselves, the aliases and the wording live in the
 * zod-free rules.ts (re-exported here).
 *
 * Keys are Clojure-style kebab-case, as in clojure.core.server. This module
 * only declares; checking raw definitions is validate.ts, merging is load.ts.
 */
import { z } from 'zod';

import { SERVER_FIELD_RULES, TLS_FIELD_RULES } from './rules';

export { BUILTIN_ACCEPTS, NREPL_ACCEPT, SERVER_DEFAULTS, TLS_DEFAULTS, defaultPortFile } from './defaults';
export { EXPECTED, KEY_ALIASES, SERVER_FIELDS, TLS_FIELDS, type ServerField, type TlsField } from './rules';

const R = SERVER_FIELD_RULES;
const positiveInt = z.number().refine(R['max-connections']);

/** Schemas of the `tls` map's fields (kebab-case keys); each rule is rules.ts's predicate. */
export const tlsFieldSchemas = {
  cert: z.string().refine(TLS_FIELD_RULES.cert),
  key: z.string().refine(TLS_FIELD_RULES.key),
  ca: z.string().refine(TLS_FIELD_RULES.ca),
  'require-client-cert': z.boolean(),
};

/** Schema of a resolved `tls` map. */
export const TlsSchema = z.strictObject({
  cert: tlsFieldSchemas.cert,
  key: tlsFieldSchemas.key,
  ca: tlsFieldSchemas.ca.optional(),
  'require-client-cert': tlsFieldSchemas['require-client-cert'],
});

/** Schemas of a server spec's fields (kebab-case keys): a zod type for z.infer, refined by rules.ts's predicate. */
export const serverFieldSchemas = {
  name: z.string().refine(R.name),
  accept: z.string().refine(R.accept),
  address: z.string().refine(R.address),
  port: z.number().refine(R.port),
  socket: z.string().refine(R.socket),
  args: z.array(z.unknown()),
  'bind-err': z.boolean(),
  'server-daemon': z.boolean(),
  'client-daemon': z.boolean(),
  enabled: z.boolean(),
  'allow-remote': z.boolean(),
  tls: z.record(z.string(), z.unknown()),
  'port-file': z.union([z.boolean(), z.string()]).refine(R['port-file']),
  'max-message-bytes': positiveInt,
  'max-connections': positiveInt,
  'max-sessions': positiveInt,
  'output-buffer-bytes': positiveInt,
  'frame-timeout-ms': z.number().refine(R['frame-timeout-ms']),
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

/** zod's check of a built spec, for load.ts (loading this module loads zod). */
export const verifySpec = (spec: unknown) => ServerSpecSchema.safeParse(spec);

/** A validated server spec (kebab-case keys, as in the config). */
export type ServerSpec = z.infer<typeof ServerSpecSchema>;

/** The resolved `tls` map. */
export type TlsSpec = z.infer<typeof TlsSchema>;

/** Where a spec's accept came from. */
export type SpecOrigin = z.infer<typeof OriginSchema>;
