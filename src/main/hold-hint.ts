/**
 * Decides, without loading the config machinery, whether the configuration
 * may ask servers or clients to keep the process alive (`server-daemon false`
 * / `client-daemon false`). Config is read in the worker, which boots in
 * parallel with the host; a host that would exit before the worker has read
 * it waits for the worker only in that case, and for at most HOLD_LIMIT_MS
 * (2 s): after that the host goes on (and may exit) while the worker keeps
 * loading, so a slow or stuck nrepl.config.js can never hang the host.
 *
 * Only the sources the config reads count, each the way the loader picks it:
 * NREPL_SERVER_* values, the project `.nrepl.edn`, the first cosmiconfig file
 * found in cwd (package.json only through its "nrepl" key) and the first user
 * `nrepl.edn`. In them, a text scan looks for a daemon option set to false
 * (`:server-daemon false`, `"serverDaemon": false`, `clientDaemon: false`);
 * a JS config counts when it names a daemon option at all, since its value
 * may be computed. The word "daemon" anywhere else holds nothing.
 *
 * It does not parse or validate the config (the worker does, and reports
 * errors); a false positive (say, a commented-out option) only delays exit
 * until the agent is ready, at most HOLD_LIMIT_MS.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ENV_PREFIX, PROJECT_EDN, RC_SEARCH_PLACES, userEdnCandidates } from '../shared/config/places';

/** The longest the host is kept alive waiting for the worker to read the config, in ms. */
export const HOLD_LIMIT_MS = 2_000;

/** The option's spellings (kebab-case and the camelCase aliases), then a separator, then false. */
const OPTION_FALSE = /(?:server|client)(?:-daemon|Daemon)["']?[\s,]*[:=]?[\s,]*(?:false|False|FALSE)\b/;
/** The option named at all (for JS configs, whose values may be computed). */
const OPTION_NAMED = /(?:server|client)(?:-daemon|Daemon)\b/;
const DAEMON_KEYS = new Set(['server-daemon', 'client-daemon', 'serverDaemon', 'clientDaemon']);

/** True when config text (EDN, JSON, YAML or, with `js`, JavaScript) sets a daemon option to false. */
export function textSetsDaemonOff(text: string, { js = false }: { js?: boolean } = {}): boolean {
  return (js ? OPTION_NAMED : OPTION_FALSE).test(text);
}

/** True when a parsed value (package.json's "nrepl" key) holds a daemon option set to false, at any depth. */
export function valueSetsDaemonOff(value: unknown, depth = 0): boolean {
  if (value === null || typeof value !== 'object' || depth > 8) return false;
  for (const [key, inner] of Object.entries(value)) {
    if (DAEMON_KEYS.has(key) && inner === false) return true;
    if (valueSetsDaemonOff(inner, depth + 1)) return true;
  }
  return false;
}

function read(file: string): string | undefined {
  try {
    return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  } catch {
    return undefined; // Unreadable: the worker will report it; no reason to hold the process.
  }
}

/** The first cosmiconfig file the loader would use (package.json only with an "nrepl" key), with its text. */
function projectRc(cwd: string): { file: string; text: string } | undefined {
  for (const place of RC_SEARCH_PLACES) {
    const file = path.resolve(cwd, place);
    const text = read(file);
    if (text === undefined) continue;
    if (place !== 'package.json') return { file, text };
    try {
      const data = JSON.parse(text) as Record<string, unknown> | null;
      if (data !== null && typeof data === 'object' && Object.hasOwn(data, 'nrepl')) return { file, text };
    } catch {
      // A broken package.json is skipped by the loader too.
    }
  }
  return undefined;
}

/**
 * Names the first config source that sets a daemon option to false (for the
 * NREPL_DEBUG line), or returns undefined when none does and the host need
 * not wait for the worker.
 */
export function holdReason(env: Record<string, string | undefined>, cwd: string): string | undefined {
  for (const [key, value] of Object.entries(env)) {
    if (key.startsWith(ENV_PREFIX) && value !== undefined && textSetsDaemonOff(value)) return key;
  }
  const edn = path.resolve(cwd, PROJECT_EDN);
  if (textSetsDaemonOff(read(edn) ?? '')) return edn;
  const rc = projectRc(cwd);
  if (rc) {
    if (path.basename(rc.file) === 'package.json') {
      if (valueSetsDaemonOff((JSON.parse(rc.text) as { nrepl: unknown }).nrepl)) return `${rc.file} ("nrepl" key)`;
    } else if (textSetsDaemonOff(rc.text, { js: /\.[cm]?js$/.test(rc.file) })) {
      return rc.file;
    }
  }
  const home = env.HOME ?? env.USERPROFILE ?? '';
  for (const file of userEdnCandidates({ cwd, home, env })) {
    const text = read(file);
    if (text === undefined) continue;
    return textSetsDaemonOff(text) ? file : undefined;
  }
  return undefined;
}
