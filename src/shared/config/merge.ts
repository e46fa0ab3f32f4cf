/**
 * Merges the checked definitions of one server name across sources into one
 * validated ServerSpec: field by field, the highest-precedence source wins
 * (a null value resets the field to its default); `args` and `tls` are
 * replaced whole. Then the rules that span fields are checked (accept
 * required, port or socket, socket excludes port/address, a non-loopback
 * address only as server/exposure.ts allows) and defaults fill the rest.
 *
 * Pure. It never throws: any problem in any definition of the server, or in
 * the merged result, drops that server and is returned.
 */
import { ErrorCodes, type Problem } from '../../errors';
import { SERVER_DEFAULTS, TLS_DEFAULTS, defaultPortFile } from './defaults';
import { EXPECTED, type ServerField } from './rules';
import type { ServerSpec } from './schema';
import { problem, type CheckedDefinition, type FieldValue } from './validate';
import { exposureProblem } from './exposure';

/** Origins label for a value nobody set. */
export const DEFAULT_LABEL = 'default';

/** Checks a built spec (a zod safeParse); a failure is a bug in nrepl-ts. */
export type VerifySpec = (candidate: unknown) =>
  | { success: true; data: ServerSpec }
  | { success: false; error: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> } };

/** The outcome for one server name. */
export interface MergedServer {
  name: string;
  /** Present when the server is valid and enabled. */
  spec?: ServerSpec;
  /** Field → source label (env var, file path or "default"), for each field of spec. */
  origins?: Record<string, string>;
  /** Set when a source disabled the server (`enabled false`); the label of that source. */
  disabledBy?: string;
  problems: Problem[];
}

/**
 * Merges the definitions of server `name`. `defs` must be ordered highest
 * precedence first (as the sources are read). `verify` is the final check
 * of the built spec (ServerSpecSchema.safeParse in the worker); the main
 * thread's exit check passes none, as it cannot afford to load zod.
 */
export function mergeServer(name: string, defs: CheckedDefinition[], { verify }: { verify?: VerifySpec } = {}): MergedServer {
  const ordered = [...defs].sort((a, b) => a.raw.level - b.raw.level);
  const problems: Problem[] = ordered.flatMap((d) => d.problems);
  const fields = new Map<ServerField, FieldValue>();
  for (const def of ordered) {
    for (const [field, entry] of def.fields) {
      const existing = fields.get(field);
      if (existing === undefined) {
        fields.set(field, entry);
      } else if (existing.level === entry.level) {
        const where = existing.source === entry.source ? `at "${existing.path}"` : `in ${existing.source}`;
        problems.push(problem(ErrorCodes.CONFIG_INVALID, entry.source, entry.path,
          `server "${name}" already sets "${existing.key}" ${where}; keep only one of them`));
      }
    }
  }
  if (problems.length > 0) return { name, problems };

  const enabled = fields.get('enabled');
  if (enabled?.value === false) return { name, disabledBy: enabled.source, problems };

  const top = ordered[0].raw;
  const set = (field: ServerField): FieldValue | undefined => {
    const entry = fields.get(field);
    return entry !== undefined && entry.value !== null ? entry : undefined;
  };
  const acceptEntry = set('accept');
  const implicit = ordered.find((d) => d.raw.defaultAccept !== undefined)?.raw;
  const accept = (acceptEntry?.value as string | undefined) ?? implicit?.defaultAccept;
  if (accept === undefined) {
    problems.push(problem(ErrorCodes.CONFIG_INVALID, top.source, top.path,
      `missing required key "accept"; expected ${EXPECTED.accept}`));
  }
  const socket = set('socket');
  const port = set('port');
  const address = set('address');
  if (socket !== undefined && (port !== undefined || address !== undefined)) {
    problems.push(socketConflict(socket, [port, address].filter((e): e is FieldValue => e !== undefined)));
  } else if (socket === undefined && port === undefined) {
    problems.push(problem(ErrorCodes.CONFIG_INVALID, top.source, top.path,
      `missing required key "port"; expected ${EXPECTED.port} (0 picks a free port), or set "socket" to a unix socket path`));
  }
  if (problems.length > 0 || accept === undefined) return { name, problems };

  const origins: Record<string, string> = {};
  const pick = <T>(field: ServerField, fallback: T): T => {
    const entry = set(field);
    origins[field] = entry?.source ?? DEFAULT_LABEL;
    return entry !== undefined ? (entry.value as T) : fallback;
  };
  origins.name = fields.get('name')?.source ?? top.source;
  origins.accept = acceptEntry?.source ?? DEFAULT_LABEL;
  const tls = pick<Record<string, unknown> | undefined>('tls', undefined);
  const candidate = {
    name,
    accept,
    address: pick('address', SERVER_DEFAULTS.address),
    ...(socket !== undefined ? { socket: pick('socket', '') } : { port: pick('port', 0) }),
    args: pick<unknown[]>('args', [...SERVER_DEFAULTS.args]),
    'bind-err': pick('bind-err', SERVER_DEFAULTS['bind-err']),
    'server-daemon': pick('server-daemon', SERVER_DEFAULTS['server-daemon']),
    'client-daemon': pick('client-daemon', SERVER_DEFAULTS['client-daemon']),
    enabled: pick('enabled', SERVER_DEFAULTS.enabled),
    'allow-remote': pick('allow-remote', SERVER_DEFAULTS['allow-remote']),
    ...(tls !== undefined ? { tls: { ...TLS_DEFAULTS, ...tls } } : {}),
    'port-file': pick('port-file', defaultPortFile(accept, socket?.value as string | undefined)),
    'max-message-bytes': pick('max-message-bytes', SERVER_DEFAULTS['max-message-bytes']),
    'max-connections': pick('max-connections', SERVER_DEFAULTS['max-connections']),
    'max-sessions': pick('max-sessions', SERVER_DEFAULTS['max-sessions']),
    'output-buffer-bytes': pick('output-buffer-bytes', SERVER_DEFAULTS['output-buffer-bytes']),
    'frame-timeout-ms': pick('frame-timeout-ms', SERVER_DEFAULTS['frame-timeout-ms']),
    origin: acceptEntry !== undefined
      ? { file: acceptEntry.file, baseDir: acceptEntry.baseDir }
      : { file: implicit?.file, baseDir: implicit?.baseDir ?? top.baseDir },
  };
  if (tls === undefined) delete origins.tls;
  if (candidate.origin.file === undefined) delete candidate.origin.file;
  // The final zod check guards nrepl-ts's own merge; it is passed in so this module never loads zod.
  const parsed = verify ? verify(candidate) : { success: true as const, data: candidate as ServerSpec };
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { name, problems: [problem(ErrorCodes.INTERNAL, top.source, top.path,
      `nrepl-ts built an invalid spec for server "${name}" (${issue.path.join('.')}: ${issue.message}); please report this bug`)] };
  }
  // Who may open the server to the network depends on which source said so: decided here, while that is known.
  const exposed = exposureProblem({ ...parsed.data, sources: { address: set('address'), 'allow-remote': set('allow-remote'), tls: set('tls') } });
  if (exposed !== undefined) return { name, problems: [exposed] };
  return { name, spec: parsed.data, origins, problems: [] };
}

/** One sentence naming `socket` and each key it conflicts with; blamed on the highest-precedence of them. */
function socketConflict(socket: FieldValue, others: FieldValue[]): Problem {
  const blame = [socket, ...others].sort((a, b) => a.level - b.level)[0];
  const named = (e: FieldValue): string => (e.source === blame.source ? `"${e.key}"` : `"${e.key}" (from ${e.source})`);
  const message = others.length === 1
    ? `${named(socket)} and ${named(others[0])} cannot both be set: a server listens either on a unix socket or on a TCP address and port; remove one of them`
    : `${named(socket)} cannot be combined with ${named(others[0])} or ${named(others[1])}: a server listens either on a unix socket or on a TCP address and port; remove "${socket.key}" or the other two`;
  return problem(ErrorCodes.CONFIG_INVALID, blame.source, blame.path, message);
}
