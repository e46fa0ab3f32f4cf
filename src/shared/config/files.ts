/**
 * Finds and reads the config files: the user `nrepl.edn`, the project
 * `.nrepl.edn`, and the project cosmiconfig file (`.nreplrc*`,
 * `nrepl.config.*`, package.json "nrepl"), cwd only, no walking up.
 *
 * Each file becomes raw server definitions (see file-shape.ts) plus problems;
 * a file that cannot be read or parsed is a problem, never an exception.
 * Nothing here validates server fields or merges sources (see load.ts).
 */
import { readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ErrorCodes, oneLine, type Problem } from '../../errors';
import { ednFileResult } from './edn-file';
import { interpretFileConfig } from './file-shape';
import { Level, type SourceResult } from './raw';
import { PROJECT_EDN, RC_SEARCH_PLACES, userEdnCandidates, type FileLocations } from './places';

export { PROJECT_EDN, RC_SEARCH_PLACES, userEdnCandidates } from './places';

export type { FileLocations } from './places';

const EMPTY: SourceResult = { servers: [], problems: [], notes: [], defined: false };

/** Reads the first existing user nrepl.edn (an empty result when there is none). */
export async function readUserEdn(where: FileLocations): Promise<SourceResult> {
  for (const file of userEdnCandidates(where)) {
    if (await exists(file)) return readEdnFile(file, Level.USER_EDN);
  }
  return EMPTY;
}

/** Reads `.nrepl.edn` in cwd (an empty result when there is none). */
export async function readProjectEdn({ cwd }: FileLocations): Promise<SourceResult> {
  const file = path.resolve(cwd, PROJECT_EDN);
  return (await exists(file)) ? readEdnFile(file, Level.PROJECT_EDN) : EMPTY;
}

/** Reads one nREPL-style EDN file. Clojure nREPL's own keys in it are noted, not reported. */
export async function readEdnFile(file: string, level: Level): Promise<SourceResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message = code === 'EISDIR' ? 'is a directory, expected an EDN file' : `could not read the file: ${oneLine(err)}`;
    return failed(ErrorCodes.CONFIG_FILE, file, message);
  }
  return ednFileResult(file, text, level);
}

/** Searches cwd (only) for a cosmiconfig file and reads the first one found. */
export async function readProjectRc({ cwd }: FileLocations): Promise<SourceResult> {
  let found: { config: unknown; filepath: string; isEmpty?: boolean } | null;
  try {
    // Loaded lazily: cosmiconfig and its loaders cost start-up time nobody else needs.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { cosmiconfig } = require('cosmiconfig') as typeof import('cosmiconfig');
    const explorer = cosmiconfig('nrepl', {
      searchPlaces: [...RC_SEARCH_PLACES],
      // 'none' searches the given folder only: no parent folders, no global config folder.
      searchStrategy: 'none',
      cache: false,
      loaders: { '.js': importDefault, '.cjs': importDefault, '.mjs': importDefault },
    });
    found = await explorer.search(path.resolve(cwd));
  } catch (err) {
    const file = (err as { filepath?: unknown }).filepath;
    const source = typeof file === 'string' ? file : path.resolve(cwd);
    const result = failed(ErrorCodes.CONFIG_FILE, source, `could not load: ${loaderMessage(err, source)}`);
    // A broken package.json need not be about nrepl-ts; a broken .nreplrc is.
    return { ...result, defined: path.basename(source) !== 'package.json' };
  }
  if (found === null || found.isEmpty || found.config === undefined) return EMPTY;
  const file = found.filepath;
  const isPackageJson = path.basename(file) === 'package.json';
  const result = interpretFileConfig(found.config, {
    source: file, prefix: isPackageJson ? 'nrepl' : '', level: Level.PROJECT_RC, baseDir: path.dirname(file), clojureKeys: false,
  });
  return { ...result, notes: [`read ${file}${isPackageJson ? ' ("nrepl" key)' : ''}`, ...result.notes] };
}

/**
 * Loads a JS config with import() only: its default export, or module.exports
 * for CommonJS. cosmiconfig's own loader retries with require() after a
 * failed import(), and on Node 20 that second error hides the real one.
 */
async function importDefault(filepath: string): Promise<unknown> {
  const mod = (await import(pathToFileURL(filepath).href)) as { default?: unknown };
  return mod.default;
}

/**
 * The loader's reason on one line: without the "JSON Error in <file>:" prefix
 * (the source already names the file), code frames, or the echoed input.
 */
export function loaderMessage(err: unknown, file: string): string {
  // Under CI=true the JSON loader colours its code frame: strip ANSI escapes before reading it.
  const text = (err instanceof Error ? err.message : String(err)).replace(/\u001b\[[0-9;]*m/g, '');
  const lines = text
    .replace(/^(?:JSON|YAML|TypeScript) Error in .*?:\s*/, (prefix) => (prefix.includes(file) ? '' : prefix))
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^(?:>?\s*\d+\s*\||\||-+\^)/.test(line));
  const reason = (lines[0] ?? oneLine(err)).replace(/ while parsing .*$/, '');
  return reason.length > 200 ? `${reason.slice(0, 197)}...` : reason;
}

function failed(code: Problem['code'], source: string, message: string): SourceResult {
  return { servers: [], problems: [{ code, source, path: '', message }], notes: [], defined: true };
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}
