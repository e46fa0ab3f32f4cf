/**
 * Combines what the readers returned (one SourceResult per source, highest
 * precedence first) into the effective configuration: checks each raw
 * definition, merges definitions of one name, and says the consequence of
 * every problem of a server in its line (`servers.repl: not started: …`), so
 * a fatal problem never reads like a warning.
 *
 * Pure and free of zod and cosmiconfig: the worker's loader (load.ts) and the
 * main thread's exit check (quick-check.ts) both use it, so both print the
 * same lines. It reads nothing and prints nothing.
 */
import type { Problem } from '../../errors';
import { mergeServer, type VerifySpec } from './merge';
import type { SourceResult } from './raw';
import { checkDefinition, type CheckedDefinition } from './validate';

/** The effective configuration. */
export interface LoadedConfig {
  /** Valid, enabled servers, in order of first definition (highest-precedence source first). */
  servers: import('./schema').ServerSpec[];
  /** Everything wrong, one entry per problem, in source order. */
  problems: Problem[];
  /** Debug remarks: files read, Clojure keys ignored, servers disabled. */
  notes: string[];
  /** Per server name and field: the source label that set it (env var, file path, or "default"). */
  origins: Record<string, Record<string, string>>;
  /** Whether any source defined any server (even a disabled or invalid one). When false, start the default server. */
  explicit: boolean;
}

/** Words put in front of a problem that keeps its server from starting. */
export const NOT_STARTED = 'not started';

/** Combines the sources' results; `verify` is merge.ts's final check of each spec (the worker passes zod's unless the config was found valid before, the exit check none). */
export function combineSources(sources: SourceResult[], { verify }: { verify?: VerifySpec } = {}): LoadedConfig {
  const loaded: LoadedConfig = { servers: [], problems: [], notes: [], origins: {}, explicit: false };
  const byName = new Map<string, CheckedDefinition[]>();
  for (const source of sources) {
    loaded.problems.push(...source.problems);
    loaded.notes.push(...source.notes);
    loaded.explicit ||= source.defined;
    for (const raw of source.servers) {
      const def = checkDefinition(raw);
      const group = byName.get(def.name);
      if (group) group.push(def);
      else byName.set(def.name, [def]);
    }
  }
  for (const [name, defs] of byName) {
    const merged = mergeServer(name, defs, { verify });
    loaded.problems.push(...merged.problems.map((p) => notStarted(p, name, defs)));
    if (merged.spec && merged.origins) {
      loaded.servers.push(merged.spec);
      // defineProperty: a server may be named "__proto__".
      Object.defineProperty(loaded.origins, name, { value: merged.origins, enumerable: true, writable: true, configurable: true });
    } else if (merged.disabledBy !== undefined) {
      loaded.notes.push(`server "${name}" is disabled by ${merged.disabledBy}`);
    } else {
      loaded.notes.push(`server "${name}" will not start: its config has problems`);
    }
  }
  return loaded;
}

/**
 * Rewrites a problem of server `name` to name the server's place and say it
 * does not start: `servers.dev.port: expected …` becomes
 * `servers.dev: not started: port: expected …` (the key is left out when the
 * message already quotes it). A server defined by a whole env value or a
 * file's top level has no path of its own; the file's top level is named by
 * the server's name.
 */
export function notStarted(p: Problem, name: string, defs: CheckedDefinition[]): Problem {
  if (p.message.startsWith(NOT_STARTED) || p.message.startsWith('refusing') || p.message.startsWith('ignored')) return p;
  const def = defs.find((d) => d.raw.source === p.source && (p.path === d.raw.path || p.path.startsWith(d.raw.path === '' ? '' : `${d.raw.path}.`)));
  const base = def?.raw.path ?? p.path;
  const rel = def !== undefined && p.path !== base ? p.path.slice(base === '' ? 0 : base.length + 1) : '';
  const last = rel.split('.').pop() ?? '';
  const key = rel !== '' && !p.message.includes(`"${last}"`) ? `${rel}: ` : '';
  const topLevel = base === '' && def?.raw.file !== undefined;
  const effect = topLevel ? `server "${name}" ${NOT_STARTED}` : NOT_STARTED;
  return { ...p, path: base, message: `${effect}: ${key}${p.message}` };
}
