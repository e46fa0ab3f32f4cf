/**
 * Keeps the REPL's `require` from handing back a second copy of an app
 * module. In an ESM TypeScript app run through tsx (or ts-node), the app
 * loads `./src/store.ts` as an ES module, while `require('./src/store.ts')`
 * goes through the CommonJS hook the tool installs for `.ts` and compiles and
 * runs the file again: a fresh instance with fresh state (0 todos where the
 * app has 2), silently. The guard refuses exactly that case with an error
 * that says to use `import()`, which reaches the app's own instance.
 *
 * The case: a CommonJS hook for `.ts` is installed, the resolved file is a
 * TypeScript file that the app's package scope makes an ES module (`.mts`,
 * or `.ts`/`.tsx` under `"type": "module"`), and CommonJS has not loaded it
 * already. Everything else is passed to the real `require` untouched.
 *
 * Main thread; wraps the eval's require (evaluate.ts). It does not load or
 * resolve anything itself beyond `require.resolve` and package.json reads.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const typeCache = new Map<string, boolean>();

/** True when the nearest package.json above `dir` says `"type": "module"`. Cached per folder. */
export function moduleScope(dir: string): boolean {
  const cached = typeCache.get(dir);
  if (cached !== undefined) return cached;
  let isModule = false;
  try {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { type?: unknown };
    isModule = pkg.type === 'module';
  } catch (err) {
    const parent = dirname(dir);
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && parent !== dir) isModule = moduleScope(parent);
  }
  typeCache.set(dir, isModule);
  return isModule;
}

/** True when `filename` is a TypeScript file the app loads as an ES module. Pure apart from package.json reads. */
export function isEsmTypeScript(filename: string): boolean {
  if (/\.mts$/i.test(filename)) return true;
  return /\.tsx?$/i.test(filename) && moduleScope(dirname(filename));
}

/** The error for `require(specifier)` of an ES-module TypeScript file. */
export function secondCopyError(specifier: string, filename: string): Error {
  const err = new Error(
    `require('${specifier}') would load a second copy of ${filename}: the app loads it as an ES module ` +
      `(package.json "type": "module" or .mts), and require() runs it again through the TypeScript hook, with fresh state. ` +
      `Use the app's own instance: await import('${specifier}') or import { … } from '${specifier}'.`,
  );
  (err as NodeJS.ErrnoException).code = 'NREPL_TS_REQUIRE_ESM_COPY';
  return err;
}

/** `require` with the guard in front; `resolve`, `cache`, `main` and `extensions` are the original's. */
export function guardEsmTypeScript(original: NodeJS.Require): NodeJS.Require {
  const guarded = function require(specifier: string): unknown {
    if (typeof specifier === 'string' && original.extensions['.ts'] !== undefined) {
      let filename: string | undefined;
      try {
        filename = original.resolve(specifier);
      } catch {
        // Let the real require report it.
      }
      if (filename && !original.cache[filename] && isEsmTypeScript(filename)) {
        const err = secondCopyError(specifier, filename);
        // The user's frame first: the guard's own frames are not theirs.
        Error.captureStackTrace(err, guarded);
        throw err;
      }
    }
    return original(specifier);
  } as NodeJS.Require;
  guarded.resolve = original.resolve;
  guarded.cache = original.cache;
  guarded.extensions = original.extensions;
  guarded.main = original.main;
  return guarded;
}
