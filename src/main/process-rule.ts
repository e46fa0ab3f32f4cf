/**
 * Decides, from facts about the current process, whether the agent may start
 * servers here. Pure: every input is passed in, so the rule is unit-tested
 * without spawning processes.
 *
 * The rule (documented in the README, "Which processes get servers"):
 * - never in worker threads, and never when NREPL_DISABLE is set;
 * - when the preload came from the process's own command line
 *   (`node --import nrepl-ts/register app.js`), always; only nrepl-ts's own
 *   entry counts (the `nrepl-ts/register` specifier, or a path or file: URL
 *   that resolves to this package's register.js): `-r ts-node/register` or
 *   `@babel/register` beside NODE_OPTIONS does not;
 * - when it arrived only through NODE_OPTIONS (and so reaches npm, yarn, tsc
 *   and every other node child), only if the entry script's real path does
 *   not match NREPL_SKIP_PATTERN (default: anything inside node_modules) —
 *   the rule VS Code's "smart" auto-attach uses.
 */
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { envFlag } from '../env-flag';

/** Default NREPL_SKIP_PATTERN: entry scripts inside any node_modules folder. */
export const DEFAULT_SKIP_PATTERN = '[\\\\/]node_modules[\\\\/]';

/** The facts the rule needs; see `processFacts()` for the real values. */
export interface ProcessFacts {
  isMainThread: boolean;
  env: Record<string, string | undefined>;
  /** `process.execArgv`: the node flags from the command line (never NODE_OPTIONS). */
  execArgv: readonly string[];
  /** Real path of the entry script, or undefined for `node -e`, stdin or the REPL (read only when needed: realpath costs). */
  entryScript: () => string | undefined;
  /** What counts as this package's preload entry on the command line. */
  ownPreload: OwnPreload;
}

/** This package's preload files, and how to resolve a command-line path against them. */
export interface OwnPreload {
  /** Real paths of this package's register.js and dist/register.js (called only for path-like specifiers). */
  files: () => readonly string[];
  /** The directory node resolves relative preload paths against (the process's cwd). */
  cwd: string;
  /** fs.realpathSync, or a stand-in in tests; may throw for a missing file. */
  realpath: (path: string) => string;
}

/** The package specifier of the preload (package.json "exports" has no other name for it). */
export const OWN_SPECIFIER = 'nrepl-ts/register';

/** The verdict, with the reason shown by NREPL_DEBUG. */
export interface StartDecision {
  start: boolean;
  reason: string;
  /** How the preload arrived: 'command-line' or 'NODE_OPTIONS'. */
  via: 'command-line' | 'NODE_OPTIONS';
}

const PRELOAD_FLAGS = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader']);

/**
 * True when a `--require`/`--import` value names this package's preload: the
 * package specifier, or an absolute path, `./`/`../` path or file: URL that
 * resolves (from `own.cwd`, through symlinks, `.js` optional as for require)
 * to one of `own.files`. Other bare specifiers are other packages.
 */
export function isOwnPreload(specifier: string, own: OwnPreload): boolean {
  if (specifier === OWN_SPECIFIER) return true;
  let file: string;
  if (specifier.startsWith('file:')) {
    try {
      file = fileURLToPath(specifier);
    } catch {
      return false;
    }
  } else if (isAbsolute(specifier) || /^\.\.?([\\/]|$)/.test(specifier)) {
    file = resolve(own.cwd, specifier);
  } else {
    return false;
  }
  for (const candidate of [file, `${file}.js`]) {
    try {
      if (own.files().includes(own.realpath(candidate))) return true;
    } catch {
      // No such file: not ours (node itself reports a preload it cannot find).
    }
  }
  return false;
}

/** True when execArgv loads nrepl-ts's own register entry (see `isOwnPreload`). */
export function preloadOnCommandLine(execArgv: readonly string[], own: OwnPreload): boolean {
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i];
    let value: string | undefined;
    const eq = arg.indexOf('=');
    if (eq > 0 && PRELOAD_FLAGS.has(arg.slice(0, eq))) value = arg.slice(eq + 1);
    else if (PRELOAD_FLAGS.has(arg)) value = execArgv[i + 1];
    if (value !== undefined && isOwnPreload(value, own)) return true;
  }
  return false;
}

/** Applies the rule to the given facts. */
export function decideStart(facts: ProcessFacts): StartDecision {
  const via = preloadOnCommandLine(facts.execArgv, facts.ownPreload) ? 'command-line' : 'NODE_OPTIONS';
  if (!facts.isMainThread) return { start: false, via, reason: 'worker threads never start servers' };
  if (envFlag(facts.env.NREPL_DISABLE)) return { start: false, via, reason: 'NREPL_DISABLE is set' };
  if (via === 'command-line') return { start: true, via, reason: 'preload given on the command line' };
  const source = facts.env.NREPL_SKIP_PATTERN ?? DEFAULT_SKIP_PATTERN;
  const entry = facts.entryScript();
  if (source === '' || entry === undefined) {
    return { start: true, via, reason: 'preload from NODE_OPTIONS, no skip rule applies' };
  }
  let pattern: RegExp;
  try {
    pattern = new RegExp(source);
  } catch {
    return { start: false, via, reason: `NREPL_SKIP_PATTERN is not a valid regular expression: ${source}` };
  }
  if (pattern.test(entry)) {
    return { start: false, via, reason: `entry script ${entry} matches NREPL_SKIP_PATTERN ${source}` };
  }
  return { start: true, via, reason: `entry script ${entry} does not match NREPL_SKIP_PATTERN` };
}
