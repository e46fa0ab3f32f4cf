/**
 * Checks the configuration synchronously, without zod or cosmiconfig, for a
 * process that exits before the agent worker has read it (agent/exit-report.ts):
 * such a process would otherwise end without a word about a broken config.
 *
 * It reads the sources the main thread can read cheaply and exactly like the
 * loader does (NREPL_SERVER_* values, `.nrepl.edn`, package.json "nrepl",
 * `.nreplrc`/`.nreplrc.json` holding JSON, the user `nrepl.edn`) and runs them
 * through the same checks as the worker (combine.ts), so the lines are the
 * same. Files that need their loader (YAML, JavaScript) are not read here:
 * they are returned as `unchecked`, for the caller to wait for the worker.
 * It prints nothing and never throws.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { formatProblem, oneLine } from '../../errors';
import { combineSources } from './combine';
import { parseEnvServers } from './env';
import { interpretFileConfig } from './file-shape';
import { ednFileResult } from './edn-file';
import { PROJECT_EDN, userEdnCandidates, type FileLocations } from './places';
import { findProjectRc, readText } from './project-rc';
import { Level, type SourceResult } from './raw';

/** What the quick check found. */
export interface QuickVerdict {
  /** The problem lines, formatted as the worker prints them. */
  lines: string[];
  /** Config files it could not judge without their loader; empty when every source was checked. */
  unchecked: string[];
}

const EMPTY: SourceResult = { servers: [], problems: [], notes: [], defined: false };

/** Checks every source it can; see the module header. */
export function quickCheck(loc: FileLocations): QuickVerdict {
  const unchecked: string[] = [];
  try {
    const sources = [
      parseEnvServers(loc.env, loc.cwd),
      projectRc(loc.cwd, unchecked),
      ednSource(path.resolve(loc.cwd, PROJECT_EDN), Level.PROJECT_EDN, unchecked),
      userEdn(loc, unchecked),
    ];
    const loaded = combineSources(sources);
    return { lines: loaded.problems.map(formatProblem), unchecked };
  } catch (err) {
    // Whatever went wrong here, the worker's loader is the authority: wait for it.
    return { lines: [], unchecked: [...unchecked, `(quick check failed: ${oneLine(err)})`] };
  }
}

function ednSource(file: string, level: Level, unchecked: string[]): SourceResult {
  const text = readText(file);
  if (text === undefined) {
    // Present but unreadable (a folder, no permission): the worker words that problem.
    if (existsSync(file)) unchecked.push(file);
    return EMPTY;
  }
  return ednFileResult(file, text, level);
}

function userEdn(loc: FileLocations, unchecked: string[]): SourceResult {
  for (const file of userEdnCandidates(loc)) {
    if (existsSync(file)) return ednSource(file, Level.USER_EDN, unchecked);
  }
  return EMPTY;
}

/** The project rc source: interpreted when it holds JSON; a file only its loader reads is left to the worker. */
function projectRc(cwd: string, unchecked: string[]): SourceResult {
  const found = findProjectRc(cwd);
  if (found.kind === 'none') return EMPTY;
  if (found.kind === 'loader') {
    unchecked.push(found.file);
    return EMPTY;
  }
  return interpretFileConfig(found.data, {
    source: found.file, prefix: found.place === 'package.json' ? 'nrepl' : '', level: Level.PROJECT_RC, baseDir: path.dirname(found.file), clojureKeys: false,
  });
}
