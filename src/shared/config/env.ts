/**
 * Reads server definitions from `NREPL_SERVER_<NAME>` environment variables,
 * the Node counterpart of Clojure's `-Dclojure.server.<name>=<edn map>`.
 *
 * The value is a JSON or EDN map; `false`, `off`, `nil` or `0` disables that
 * server. Pure: it takes the env object and never reads process.env itself.
 * It does not validate the server fields (validate.ts does).
 */
import { ErrorCodes, oneLine, type Problem } from '../../errors';
import { EdnSyntaxError, parseEdn } from './edn';
import { Level, type RawServer, type SourceResult } from './raw';
import { showValue } from './text';
import { isMap } from './validate';

/** Prefix of the variables that define servers. */
export const ENV_PREFIX = 'NREPL_SERVER_';

/** Values that switch a server off, compared case-insensitively. */
export const DISABLE_VALUES: readonly string[] = ['false', 'off', 'nil', '0'];

const EXAMPLE = '{:port 5555 :accept nrepl-ts/repl} or {"port":5555,"accept":"nrepl-ts/repl"}';

/**
 * One raw definition per `NREPL_SERVER_<NAME>` variable, sorted by variable
 * name; `<NAME>` lower-cased is the server name. Relative paths in the values
 * resolve against `cwd`.
 */
export function parseEnvServers(env: Record<string, string | undefined>, cwd: string = process.cwd()): SourceResult {
  const servers: RawServer[] = [];
  const problems: Problem[] = [];
  const names = Object.keys(env).filter((k) => k.startsWith(ENV_PREFIX) && env[k] !== undefined).sort();
  for (const variable of names) {
    const text = env[variable] as string;
    const name = variable.slice(ENV_PREFIX.length).toLowerCase();
    if (name === '') {
      problems.push({ code: ErrorCodes.CONFIG_INVALID, source: variable, path: '',
        message: `the server name is missing; name the variable ${ENV_PREFIX}<NAME>, e.g. ${ENV_PREFIX}DEV` });
      continue;
    }
    const base = { name, source: variable, path: '', level: Level.ENV, baseDir: cwd };
    const parsed = parseEnvValue(text);
    if (parsed.ok) {
      servers.push({ ...base, fields: parsed.fields, problems: [] });
    } else {
      servers.push({ ...base, fields: {}, problems: [{ ...parsed.problem, source: variable }] });
    }
  }
  const notes = names.length > 0 ? [`read ${names.join(', ')}`] : [];
  return { servers, problems, notes, defined: names.length > 0 };
}

type ParsedValue =
  | { ok: true; fields: Record<string, unknown> }
  | { ok: false; problem: Problem };

/** Parses one variable's value: a disable word, else JSON, else EDN; it must give a map. */
export function parseEnvValue(text: string): ParsedValue {
  const trimmed = text.trim();
  if (DISABLE_VALUES.includes(trimmed.toLowerCase())) return { ok: true, fields: { enabled: false } };
  if (trimmed === '') return fail(ErrorCodes.CONFIG_INVALID, `empty value; expected a map such as ${EXAMPLE}, or false/off/nil/0 to disable the server`);
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch (jsonError) {
    try {
      value = parseEdn(trimmed);
    } catch (ednError) {
      // A value that starts like JSON most likely meant to be JSON: its error says more.
      const looksJson = /^\{\s*"/.test(trimmed) || /^\{\s*\}$/.test(trimmed);
      const detail = looksJson
        ? `invalid JSON: ${oneLine(jsonError)}`
        : `invalid EDN: ${ednError instanceof EdnSyntaxError ? ednError.message : oneLine(ednError)}`;
      return fail(ErrorCodes.CONFIG_PARSE, `${detail}; expected a map such as ${EXAMPLE}`);
    }
  }
  if (!isMap(value)) {
    return fail(ErrorCodes.CONFIG_INVALID, `expected a map such as ${EXAMPLE}, or false/off/nil/0 to disable the server, got ${showValue(value)}`);
  }
  return { ok: true, fields: value };
}

function fail(code: Problem['code'], message: string): ParsedValue {
  return { ok: false, problem: { code, source: '', path: '', message } };
}
