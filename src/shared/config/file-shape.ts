/**
 * Turns the data of one config file into raw server definitions, following
 * the nREPL file conventions: the top-level keys (`port`, `address` or its
 * aliases `bind`/`host`, `socket`, or any other server key) define the
 * server named `nrepl` (accept `nrepl-ts/nrepl` unless set), and `servers`
 * maps names to server specs. An unknown top-level key is checked as a key
 * of that server, so it stops that server, as in a `servers` entry.
 *
 * Pure. It checks only the file's outer shape; each server map is checked
 * later (validate.ts).
 */
import { ErrorCodes, type Problem } from '../../errors';
import type { Level, RawServer, SourceResult } from './raw';
import { NREPL_ACCEPT } from './defaults';
import { EXPECTED, SERVER_FIELD_RULES } from './rules';
import { nearest, showValue } from './text';
import { isMap, joinPath, problem } from './validate';

/** Name of the server the top-level keys define. */
export const TOP_LEVEL_SERVER = 'nrepl';

/**
 * Keys Clojure's nREPL reads from the same `.nrepl.edn`: skipped (with a note)
 * so a project can share the file with a Clojure tool.
 */
export const CLOJURE_NREPL_KEYS: readonly string[] = [
  'transport', 'handler', 'middleware', 'ack', 'dynamic-vars', 'tls-keys-file', 'tls-keys-str',
  'enable-jvmti-agent', 'repl-fn', 'connect', 'headless', 'interactive', 'color', 'verbose',
  'greeting-fn', 'evaluator',
];

/** Describes one file for interpretFileConfig. */
export interface FileContext {
  /** Absolute file path (Problem.source). */
  source: string;
  /** Dotted path of the config inside the file ('nrepl' in package.json, else ''). */
  prefix: string;
  level: Level;
  /** The file's folder. */
  baseDir: string;
  /** True for nREPL EDN files, where Clojure nREPL keys are ignored instead of reported. */
  clojureKeys: boolean;
}

/** Splits a file's top-level value into server definitions; never throws. */
export function interpretFileConfig(data: unknown, ctx: FileContext): SourceResult {
  const problems: Problem[] = [];
  const notes: string[] = [];
  const servers: RawServer[] = [];
  if (!isMap(data)) {
    const example = ctx.clojureKeys ? '{:port 7888}' : '{"port": 7888}';
    problems.push(problem(ErrorCodes.CONFIG_INVALID, ctx.source, ctx.prefix,
      `expected a map at the top level, such as ${example}, got ${showValue(data)}`));
    return { servers, problems, notes, defined: true };
  }
  const base = { source: ctx.source, level: ctx.level, baseDir: ctx.baseDir, file: ctx.source };
  const topFields: Record<string, unknown> = {};
  const topProblems: Problem[] = [];
  const ignored: string[] = [];
  for (const key of Object.keys(data)) {
    if (key === 'servers') {
      readServers(data[key], ctx, base, servers, problems);
    } else if (ctx.clojureKeys && CLOJURE_NREPL_KEYS.includes(key)) {
      ignored.push(key);
    } else if (nearest(key, ['servers']) !== undefined) {
      topProblems.push(problem(ErrorCodes.CONFIG_UNKNOWN_KEY, ctx.source, joinPath(ctx.prefix, key), `unknown key "${key}"; did you mean "servers"?`));
    } else {
      // Every other key belongs to the top-level server, so a misspelled one (`:prot`) stops it like in a `servers` entry.
      Object.defineProperty(topFields, key, { value: data[key], enumerable: true, writable: true, configurable: true });
    }
  }
  if (Object.keys(topFields).length > 0 || topProblems.length > 0) {
    servers.unshift({
      ...base, name: TOP_LEVEL_SERVER, fields: topFields, path: ctx.prefix,
      defaultAccept: NREPL_ACCEPT, problems: topProblems,
    });
  }
  if (ignored.length > 0) {
    notes.push(`${ctx.source}: ignoring ${ignored.map((k) => `:${k}`).join(' ')} (Clojure nREPL settings, unused by nrepl-ts)`);
  }
  const defined = servers.length > 0 || problems.some((p) => p.path.startsWith(joinPath(ctx.prefix, 'servers')));
  return { servers, problems, notes, defined };
}

function readServers(
  value: unknown,
  ctx: FileContext,
  base: Pick<RawServer, 'source' | 'level' | 'baseDir' | 'file'>,
  servers: RawServer[],
  problems: Problem[],
): void {
  const at = joinPath(ctx.prefix, 'servers');
  if (value === null || value === undefined) return;
  if (!isMap(value)) {
    const example = ctx.clojureKeys ? '{dev {:port 5555 :accept nrepl-ts/repl}}' : '{"dev": {"port": 5555, "accept": "nrepl-ts/repl"}}';
    problems.push(problem(ErrorCodes.CONFIG_INVALID, ctx.source, at,
      `expected a map of server names to server specs, such as ${example}, got ${showValue(value)}`));
    return;
  }
  for (const name of Object.keys(value)) {
    const spec = value[name];
    const path = joinPath(at, name);
    if (!SERVER_FIELD_RULES.name(name)) {
      // A server is named, listed and stopped by its name; the checker of built specs refuses an empty one too.
      problems.push(problem(ErrorCodes.CONFIG_INVALID, ctx.source, at, `a server name must be ${EXPECTED.name}, got ${JSON.stringify(name)}`));
      continue;
    }
    if (isMap(spec)) {
      servers.push({ ...base, name, fields: spec, path, problems: [] });
    } else {
      servers.push({
        ...base, name, fields: {}, path,
        problems: [problem(ErrorCodes.CONFIG_INVALID, ctx.source, path,
          `expected a server spec map with at least "accept" and "port", got ${showValue(spec)}`)],
      });
    }
  }
}
