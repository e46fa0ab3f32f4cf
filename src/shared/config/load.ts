/**
 * Loads the effective socket server configuration from every source and
 * renders it for debug output.
 *
 * Precedence, highest first: NREPL_SERVER_* variables, the project
 * cosmiconfig file, the project `.nrepl.edn`, the user `nrepl.edn`. Servers
 * match by name and merge field by field (merge.ts). loadConfig never
 * throws: every problem is returned, and the servers without problems load.
 * It starts nothing and prints nothing.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { ErrorCodes, oneLine, type Problem } from '../../errors';
import { parseEnvServers } from './env';
import { readProjectEdn, readProjectRc, readUserEdn, type FileLocations } from './files';
import { mergeServer } from './merge';
import { combineSources, type LoadedConfig } from './combine';
import { Level, type SourceResult } from './raw';
import { NREPL_ACCEPT } from './defaults';
import type { VerifySpec } from './merge';
import { EXPECTED } from './rules';
import type { ServerSpec } from './schema';
import { defaultNreplServer } from './default-server';
import { showValue } from './text';
import { checkDefinition, isMap } from './validate';

/** Inputs of loadConfig; each defaults to the real process value. */
export interface LoadConfigOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  home?: string;
  /**
   * The final check of each spec built: schema.ts's `verifySpec` (zod), or undefined for none.
   * Only a bug of the rules could fail it, and loading zod is most of the agent's start-up CPU,
   * so this module does not load it: the worker passes it except for a config found valid
   * before (verdicts.ts), whose rules still run in full. Required, so no caller forgets it.
   */
  verify: VerifySpec | undefined;
}

export type { LoadedConfig } from './combine';

/** The server started when no source defines any (see defaults.ts). */
export const DEFAULT_NREPL_SERVER: Readonly<ServerSpec> = Object.freeze(defaultNreplServer(process.cwd()));

/** Reads, merges and validates all sources. Never throws. */
export async function loadConfig(opts: LoadConfigOptions): Promise<LoadedConfig> {
  const loaded: LoadedConfig = { servers: [], problems: [], notes: [], origins: {}, explicit: false };
  try {
    const env = opts.env ?? process.env;
    const cwd = path.resolve(opts.cwd ?? process.cwd());
    const where: FileLocations = { cwd, home: opts.home ?? os.homedir(), env };
    // Highest precedence first; that order is also the order servers are listed in.
    const sources = await Promise.all([
      guard('environment', () => parseEnvServers(env, cwd)),
      guard(cwd, () => readProjectRc(where)),
      guard(cwd, () => readProjectEdn(where)),
      guard('user nrepl.edn', () => readUserEdn(where)),
    ]);
    Object.assign(loaded, combineSources(sources, { verify: opts.verify }));
  } catch (err) {
    loaded.problems.push(internal('config', err));
  }
  return loaded;
}

/** Outcome of validateServer. */
export type ValidateResult = { ok: true; spec: ServerSpec } | { ok: false; problems: Problem[] };

/**
 * Validates one server spec given in code (the startServer() API) with the
 * same rules and messages as config sources. `name` is required in the map
 * unless `ctx.name` gives it; relative paths resolve against `ctx.baseDir`.
 */
export function validateServer(raw: unknown, ctx: { source: string; baseDir: string; name?: string; verify: VerifySpec }): ValidateResult {
  try {
    const problems: Problem[] = [];
    if (!isMap(raw)) {
      problems.push({ code: ErrorCodes.CONFIG_INVALID, source: ctx.source, path: '',
        message: `expected a server spec map with at least "name", "accept" and "port", got ${showValue(raw)}` });
      return { ok: false, problems };
    }
    const def = checkDefinition({
      name: ctx.name ?? '', fields: raw, source: ctx.source, path: '', level: Level.ENV,
      baseDir: path.resolve(ctx.baseDir), problems: [],
    });
    if (def.name === '') {
      problems.push(...def.problems, { code: ErrorCodes.CONFIG_INVALID, source: ctx.source, path: '',
        message: `missing required key "name"; expected ${EXPECTED.name}` });
      return { ok: false, problems };
    }
    const merged = mergeServer(def.name, [def], { verify: ctx.verify });
    problems.push(...merged.problems);
    if (merged.disabledBy !== undefined) {
      problems.push({ code: ErrorCodes.CONFIG_INVALID, source: ctx.source, path: 'enabled',
        message: '"enabled" is false, so there is nothing to start; remove it or set it to true' });
    }
    if (problems.length > 0 || merged.spec === undefined) return { ok: false, problems };
    return { ok: true, spec: merged.spec };
  } catch (err) {
    return { ok: false, problems: [internal(ctx.source, err)] };
  }
}

/** Runs one reader, turning an unexpected throw into an INTERNAL problem. */
async function guard(source: string, read: () => SourceResult | Promise<SourceResult>): Promise<SourceResult> {
  try {
    return await read();
  } catch (err) {
    return { servers: [], problems: [internal(source, err)], notes: [], defined: false };
  }
}

function internal(source: string, err: unknown): Problem {
  return { code: ErrorCodes.INTERNAL, source, path: '', message: `unexpected error while reading config: ${oneLine(err)}; please report this bug` };
}

/**
 * The effective config as debug lines, one per server, each field followed
 * by the source that set it, grouped by source:
 * `dev: accept="nrepl-ts/repl" port=5555 [NREPL_SERVER_DEV]; address="127.0.0.1" ... [default]`.
 */
export function describeConfig(loaded: LoadedConfig): string[] {
  if (loaded.servers.length === 0) {
    return [loaded.explicit
      ? 'no server enabled'
      : `no server configured; the default "${DEFAULT_NREPL_SERVER.name}" server (${NREPL_ACCEPT} on ${DEFAULT_NREPL_SERVER.address}, any free port) starts`];
  }
  return loaded.servers.map((spec) => {
    const origins = loaded.origins[spec.name] ?? {};
    const groups = new Map<string, string[]>();
    for (const [field, value] of Object.entries(spec)) {
      if (field === 'name' || field === 'origin') continue;
      const label = origins[field] ?? 'default';
      const list = groups.get(label) ?? [];
      list.push(`${field}=${showValue(value, Infinity)}`);
      groups.set(label, list);
    }
    const parts = [...groups].map(([label, list]) => `${list.join(' ')} [${label}]`);
    return `${spec.name}: ${parts.join('; ')}`;
  });
}
