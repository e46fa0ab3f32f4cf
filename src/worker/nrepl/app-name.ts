/**
 * The host app's name for `describe`'s `aux.app`, which `nrepl-ts connect`
 * shows in its prompt: the `name` of the package.json nearest to the main
 * script (`process.argv[1]`, which the gate passes to the worker as
 * `mainScript`), else the script's file name without its
 * extension, else `node`. Read once (at most a few small files), in the
 * worker; never throws.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { isMainThread, workerData } from 'node:worker_threads';

let cached: string | undefined;

/** The app's name (a short string, never empty). */
export function appName(): string {
  if (cached !== undefined) return cached;
  const fromGate = !isMainThread && workerData && typeof workerData === 'object' ? (workerData as { mainScript?: unknown }).mainScript : undefined;
  cached = findName(isMainThread ? process.argv[1] : typeof fromGate === 'string' ? fromGate : undefined);
  return cached;
}

/** The name for a given main script (exported for tests). */
export function appNameFor(script: string | undefined): string {
  return findName(script);
}

function findName(script: string | undefined): string {
  if (!script) return 'node';
  try {
    const path = resolve(script);
    for (let dir = dirname(path), depth = 0; depth < 30; dir = dirname(dir), depth++) {
      const name = packageName(join(dir, 'package.json'));
      if (name !== undefined) return name;
      if (dirname(dir) === dir) break;
    }
    const base = basename(path, extname(path));
    return base === '' ? 'node' : base;
  } catch {
    return 'node';
  }
}

/** The package's name; undefined when there is no package.json, '' never (a nameless package.json is skipped). */
function packageName(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const name = (JSON.parse(text) as { name?: unknown }).name;
    return typeof name === 'string' && /^[\w@./-]{1,100}$/.test(name) ? name : undefined;
  } catch {
    return undefined;
  }
}
