/**
 * Whether any configuration source exists at all, answered with a few
 * existsSync calls and no dependencies. When none does (the common
 * `node --import nrepl-ts/register app.js` case), the worker starts the
 * default nREPL server without loading zod, cosmiconfig or the config
 * readers — about 14 MB of RSS and tens of milliseconds it would keep forever.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ENV_PREFIX, configFileCandidates, type FileLocations } from './places';

/** True when some env var or config file could define servers (a broken one counts). */
export function configPresent(loc: FileLocations): boolean {
  if (Object.keys(loc.env).some((key) => key.startsWith(ENV_PREFIX))) return true;
  const packageJson = path.resolve(loc.cwd, 'package.json');
  for (const file of configFileCandidates(loc)) {
    if (!existsSync(file)) continue;
    if (file !== packageJson) return true;
    try {
      // Every project has a package.json; only its "nrepl" key is configuration.
      const data = JSON.parse(readFileSync(file, 'utf8')) as unknown;
      if (data !== null && typeof data === 'object' && Object.hasOwn(data, 'nrepl')) return true;
    } catch {
      // A broken package.json is not ours to report (the full loader ignores it too).
    }
  }
  return false;
}
