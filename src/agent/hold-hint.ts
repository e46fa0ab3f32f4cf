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
import { ENV_PREFIX, configFileCandidates } from '../config/places';

const MENTION = /daemon/i;

/** True when some config source mentions a daemon option. */
export function configMayHoldProcess(env: Record<string, string | undefined>, cwd: string): boolean {
  for (const [key, value] of Object.entries(env)) {
    if (key.startsWith(ENV_PREFIX) && value !== undefined && MENTION.test(value)) return true;
  }
  const home = env.HOME ?? env.USERPROFILE ?? '';
  for (const file of configFileCandidates({ cwd, home, env })) {
    try {
      if (existsSync(file) && MENTION.test(readFileSync(file, 'utf8'))) return true;
    } catch {
      // Unreadable: the worker will report it; no reason to hold the process.
    }
  }
  return false;
}
