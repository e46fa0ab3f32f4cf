/**
 * Remembers configurations already found valid, for the two checks that
 * would otherwise repeat the same work on every start of the same process:
 * - the exit check of a short-lived process (main/exit-report.ts) run again
 *   and again with the same configuration — a CLI, a script, a test runner's
 *   children — costs a few small reads and one hash instead of loading the
 *   checker (about 8 ms of main-thread CPU on a 2-core machine) or waiting
 *   for the worker on a YAML file (up to exit-report.ts's UNCHECKED_WAIT_MS);
 * - the worker (worker/main.ts) skips zod's final check of the specs it
 *   built (load.ts), about 80 ms of CPU at start-up. That check only catches
 *   a bug of nrepl-ts's own rules, which run in full every time: the specs
 *   are always built afresh from the sources, never read from here.
 *
 * The fingerprint covers everything the check reads: the NREPL_SERVER_* values,
 * NREPL_CONFIG_DIR, XDG_CONFIG_HOME, the home and working folders, the bytes
 * of every candidate config file (or that it is absent), and the identity of
 * the agent's own checker (so a rebuilt or upgraded agent checks afresh).
 * JavaScript config files compute their result, so a process whose config is
 * one is never remembered (the caller decides; see `cacheable`).
 *
 * A verdict says who found no problem: the rules alone (the exit check, a line
 * `<fingerprint>`) or the worker's full check, zod's check of the built specs
 * included (a line `<fingerprint> full`). The worker skips zod only for a full
 * one: the rules alone once let through a server named "" that zod refuses.
 *
 * Only verdicts of "no problems" are kept: a broken configuration is checked,
 * and reported, every time. They live in one file, `valid-configs`, in the
 * per-user private process folder (shared/process-dir.ts), at most
 * MAX_VERDICTS fingerprint lines, replaced whole by rename; nothing is written
 * when that folder is not private or NREPL_REGISTRY is off. Every function
 * here swallows its errors: a failed read means "not known", a failed write
 * means "not remembered".
 */
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { ENV_PREFIX, configFileCandidates, type FileLocations } from './places';
import { ensureProcessDir, processDirObstacle, processDirPath, REGISTRY_VAR } from '../process-dir';
import { envFlag } from '../../env-flag';

/** Verdicts kept (newest last): enough for the configs one user runs; about 64 × 24 bytes. */
export const MAX_VERDICTS = 64;
const FILE = 'valid-configs';

/**
 * A 64-bit fingerprint of `parts` (two independent 32-bit lanes plus the
 * total length), in hex. Not node:crypto on purpose: loading it at exit
 * costs about 10 ms of wall time (measured), twice this module's whole
 * budget. A collision could make one exit skip a check whose lines the
 * worker prints anyway once it runs, or make the worker skip zod's check,
 * behind rules that still run in full; it never lets a config do anything.
 */
export function fingerprint(parts: readonly string[]): string {
  let a = 0x811c9dc5;
  let b = 0x2545f491;
  let length = 0;
  const step = (x: number): void => {
    a = Math.imul(a ^ x, 0x01000193);
    b = Math.imul(b ^ x, 0x5bd1e995);
    b ^= b >>> 15;
  };
  for (const part of parts) {
    step(part.length); // so part boundaries count: "ab","c" differs from "a","bc"
    for (let i = 0; i < part.length; i++) step(part.charCodeAt(i));
    length += part.length;
  }
  const mix = (h: number): number => {
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> 0;
  };
  return `${mix(a).toString(16).padStart(8, '0')}${mix(b).toString(16).padStart(8, '0')}-${length.toString(16)}`;
}

const LINE = /^[0-9a-f]{16}-[0-9a-f]+( full)?$/;

/** Who found a config valid: the rules alone (the exit check), or the worker's full check with zod. */
export type VerdictKind = 'rules' | 'full';

/** The fingerprint of every input of the config check for `loc`, or undefined when a file could not be read. */
export function configDigest(loc: FileLocations): string | undefined {
  try {
    // The agent's build: tsc rewrites every file of a build, this one with the checker, so a new build or version changes it.
    const checker = statSync(__filename);
    const parts = [`checker ${checker.ino}:${checker.size}:${checker.mtimeMs}`, `cwd ${loc.cwd}`, `home ${loc.home}`];
    for (const key of Object.keys(loc.env).sort()) {
      if (key.startsWith(ENV_PREFIX) || key === 'NREPL_CONFIG_DIR' || key === 'XDG_CONFIG_HOME') parts.push(`env ${key}`, loc.env[key] ?? '');
    }
    for (const file of configFileCandidates(loc)) {
      // existsSync first: most candidates are absent, and a throw per ENOENT costs more than the read.
      if (!existsSync(file)) {
        parts.push(`absent ${file}`);
        continue;
      }
      try {
        parts.push(`file ${file}`, readFileSync(file, 'latin1'));
      } catch {
        return undefined; // a folder, no permission: check it properly
      }
    }
    return fingerprint(parts);
  } catch {
    return undefined;
  }
}

/** False for a config file whose result its contents do not determine (JavaScript). */
export function cacheable(loaderFile: string | undefined): boolean {
  return loaderFile === undefined || !/\.[cm]?js$/.test(loaderFile);
}

/**
 * True when `digest` was found valid before by a check of at least `kind` (a full verdict
 * answers for the rules too); read only from a private process folder.
 */
export function knownValid(digest: string, kind: VerdictKind, env: NodeJS.ProcessEnv = process.env): boolean {
  try {
    const dir = processDirPath(env);
    const lines = readFileSync(join(dir, FILE), 'utf8').split('\n');
    const found = lines.includes(`${digest} full`) || (kind === 'rules' && lines.includes(digest));
    return found && processDirObstacle(dir) === undefined;
  } catch {
    return false;
  }
}

/** Records `digest` as found valid by `kind`: the newest line, the oldest dropped past MAX_VERDICTS; a full verdict is never made a rules one. */
export function rememberValid(digest: string, kind: VerdictKind, env: NodeJS.ProcessEnv = process.env): void {
  const registry = env[REGISTRY_VAR];
  if (registry !== undefined && registry !== '' && !envFlag(registry)) return;
  let temp: string | undefined;
  try {
    const dir = ensureProcessDir(env);
    const file = join(dir, FILE);
    let lines: string[] = [];
    try {
      lines = readFileSync(file, 'utf8').split('\n').filter((line) => LINE.test(line));
    } catch {
      // First verdict.
    }
    const line = kind === 'full' || lines.includes(`${digest} full`) ? `${digest} full` : digest;
    lines = lines.filter((l) => l !== digest && l !== `${digest} full`);
    lines.push(line);
    // Both threads of one process may write: the thread's id keeps their temp files apart.
    temp = `${file}.${process.pid}.${threadId}`;
    writeFileSync(temp, `${lines.slice(-MAX_VERDICTS).join('\n')}\n`, { mode: 0o600 });
    renameSync(temp, file);
  } catch {
    // Not remembered: the next run checks again. A half-written temp file must not stay behind.
    try {
      if (temp !== undefined) rmSync(temp, { force: true });
    } catch {
      // Left for the next write to replace.
    }
  }
}
