/**
 * Who may expose a server to the network: the pure rule, checked where the
 * merged spec still knows which source set each field (config/merge.ts), and
 * again as a backstop when binding (listen.ts).
 *
 * A server may listen on a non-loopback address only with mutual TLS
 * (client certificates verified against a configured CA), or when
 * `allow-remote true` comes from a source the user controls: an
 * `NREPL_SERVER_<NAME>` variable, the startServer() API, or the user-level
 * `nrepl.edn`. A project file (`.nrepl.edn`, package.json "nrepl",
 * `.nreplrc*`, `nrepl.config.*`) arrives with a cloned repository, so its
 * `allow-remote` is never honoured — and nor is mutual TLS when both the
 * address and the `tls` map come from project files: a repository could
 * ship its own CA with a client key its author keeps.
 *
 * It does not bind, read certificates or print anything.
 */
import { ErrorCodes, type Problem } from '../../errors';
import { Level } from './raw';

/** True for 127.0.0.0/8, ::1 and localhost (also as IPv4-mapped IPv6). */
export function isLoopback(address: string): boolean {
  const a = address.toLowerCase();
  return a === 'localhost' || a === '::1' || a.startsWith('127.') || a.startsWith('::ffff:127.');
}

/** The `tls` fields that decide whether clients must prove who they are. */
export interface TlsLike {
  ca?: string;
  'require-client-cert'?: boolean;
}

/** True when every client must present a certificate signed by the configured CA. */
export function isMutualTls(tls: TlsLike | undefined): boolean {
  return tls !== undefined && tls['require-client-cert'] === true && typeof tls.ca === 'string' && tls.ca !== '';
}

/** Where one field's value came from. */
export interface FieldSource {
  source: string;
  /** Dotted path of the field inside its source. */
  path: string;
  level: Level;
}

/** The fields of a merged spec the rule reads, and where `address` and `allow-remote` came from. */
export interface ExposureInput {
  address: string;
  socket?: string;
  'allow-remote': boolean;
  tls?: TlsLike;
  /** Undefined for a default value. */
  sources: { address?: FieldSource; 'allow-remote'?: FieldSource; tls?: FieldSource };
}

/** True for the levels whose files come with the project, not from the user. */
export function isProjectLevel(level: Level): boolean {
  return level === Level.PROJECT_RC || level === Level.PROJECT_EDN;
}

/** How to expose a server on purpose; shared by both refusals. */
export const EXPOSURE_REMEDY =
  'either require client certificates (:tls {:cert ... :key ... :ca ... :require-client-cert true}), ' +
  'or set :allow-remote true in NREPL_SERVER_<NAME>, the startServer() spec or your user nrepl.edn (a project file cannot allow it)';

/**
 * The problem that stops the server, or undefined when it may listen. Blames
 * a project file's `allow-remote` when there is one, else `address`.
 */
export function exposureProblem(spec: ExposureInput): Problem | undefined {
  if (spec.socket !== undefined || isLoopback(spec.address)) return undefined;
  const fromProject = (source: FieldSource | undefined) => source !== undefined && isProjectLevel(source.level);
  if (isMutualTls(spec.tls) && !(fromProject(spec.sources.address) && fromProject(spec.sources.tls))) return undefined;
  const allow = spec.sources['allow-remote'];
  if (spec['allow-remote'] && allow !== undefined && !isProjectLevel(allow.level)) return undefined;
  const why = `anyone who can reach ${spec.address} could run code in this process`;
  if (spec['allow-remote'] && allow !== undefined) {
    return { code: ErrorCodes.EXPOSED, source: allow.source, path: allow.path,
      message: `ignored in a project file, so the server will not listen on non-loopback address ${spec.address} (${why}); ${EXPOSURE_REMEDY}` };
  }
  const address = spec.sources.address;
  const mutualFromProject = isMutualTls(spec.tls) ? ' configured by project files alone (a repository may ship its own CA and keep a client key)' : '';
  return { code: ErrorCodes.EXPOSED, source: address?.source ?? 'default', path: address?.path ?? 'address',
    message: `refusing to listen on non-loopback address ${spec.address} without client certificates${mutualFromProject} (${why}); ${EXPOSURE_REMEDY}` };
}
