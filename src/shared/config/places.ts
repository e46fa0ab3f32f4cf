/**
 * Where configuration can come from: the environment prefix and the file
 * names nrepl-ts searches. Data only, no dependencies, so the main-thread
 * hold hint and the worker's presence check can use it without loading the
 * config machinery (zod, cosmiconfig).
 */
import * as path from 'node:path';

/** Environment variables defining servers: `NREPL_SERVER_<NAME>`. */
export const ENV_PREFIX = 'NREPL_SERVER_';

/** Project cosmiconfig search places, in cosmiconfig's order; only the first found is used. */
export const RC_SEARCH_PLACES = [
  'package.json',
  '.nreplrc',
  '.nreplrc.json',
  '.nreplrc.yaml',
  '.nreplrc.yml',
  '.nreplrc.js',
  '.nreplrc.cjs',
  '.nreplrc.mjs',
  'nrepl.config.js',
  'nrepl.config.cjs',
  'nrepl.config.mjs',
] as const;

/** The project nREPL file name, read from cwd. */
/** The search places whose files only the loader reads (YAML or JavaScript; a `.nreplrc` may hold either, or JSON). */
export const LOADER_PLACES: readonly string[] = RC_SEARCH_PLACES.filter((place) => place !== 'package.json' && place !== '.nreplrc.json');

export const PROJECT_EDN = '.nrepl.edn';

/** Where to look: the working directory, the home folder and the environment. */
export interface FileLocations {
  cwd: string;
  home: string;
  env: Record<string, string | undefined>;
}

/** User nrepl.edn candidates in order; the first that exists is the user file. */
export function userEdnCandidates({ cwd, home, env }: FileLocations): string[] {
  const out: string[] = [];
  if (env.NREPL_CONFIG_DIR) out.push(path.resolve(cwd, env.NREPL_CONFIG_DIR, 'nrepl.edn'));
  if (env.XDG_CONFIG_HOME) out.push(path.resolve(cwd, env.XDG_CONFIG_HOME, 'nrepl', 'nrepl.edn'));
  out.push(path.join(home, '.config', 'nrepl', 'nrepl.edn'), path.join(home, '.nrepl', 'nrepl.edn'));
  return [...new Set(out)];
}

/** Every file that could hold configuration, project files first. */
export function configFileCandidates(loc: FileLocations): string[] {
  return [path.resolve(loc.cwd, PROJECT_EDN), ...RC_SEARCH_PLACES.map((f) => path.resolve(loc.cwd, f)), ...userEdnCandidates(loc)];
}
