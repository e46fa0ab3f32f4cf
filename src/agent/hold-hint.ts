/**
 * Decides, without parsing anything, whether the configuration might ask
 * servers or clients to keep the process alive (`server-daemon false` /
 * `client-daemon false`). Config is read in the worker, which boots in
 * parallel with the host; a host that would exit before the worker has read
 * it must wait for the worker only in that case.
 *
 * A plain substring scan of the NREPL_SERVER_* values and of the config files
 * that exist: a false positive only delays exit until the agent is ready.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const PROJECT_FILES = [
  '.nrepl.edn',
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
];

const MENTION = /daemon/i;

/** True when some config source mentions a daemon option. */
export function configMayHoldProcess(env: Record<string, string | undefined>, cwd: string): boolean {
  for (const [key, value] of Object.entries(env)) {
    if (key.startsWith('NREPL_SERVER_') && value !== undefined && MENTION.test(value)) return true;
  }
  const home = env.HOME ?? env.USERPROFILE;
  const files = PROJECT_FILES.map((f) => join(cwd, f));
  if (env.NREPL_CONFIG_DIR) files.push(join(env.NREPL_CONFIG_DIR, 'nrepl.edn'));
  if (env.XDG_CONFIG_HOME) files.push(join(env.XDG_CONFIG_HOME, 'nrepl/nrepl.edn'));
  if (home) files.push(join(home, '.config/nrepl/nrepl.edn'), join(home, '.nrepl/nrepl.edn'));
  for (const file of files) {
    try {
      if (existsSync(file) && MENTION.test(readFileSync(file, 'utf8'))) return true;
    } catch {
      // Unreadable: the worker will report it; no reason to hold the process.
    }
  }
  return false;
}
