/**
 * `load-file` of one of the app's module files: the file is evaluated *as
 * that module*, the way a Clojure user expects, never as REPL code whose
 * locals would become globals.
 *
 * - CommonJS (`.js`/`.cjs` in a CommonJS package scope, or any extension a
 *   loader hook handles, such as tsx's `.ts`): the file runs again in a fresh
 *   module scope of its own (its own `require`, `module`, `exports`,
 *   `__filename`), and the exports object the app already holds is updated
 *   in place: new and changed properties are set, removed ones deleted, so
 *   `routes.hello(...)` in the app calls the new code at once. The value is
 *   that exports object. Properties that cannot be redefined (compiled
 *   TypeScript defines its exports as fixed getters) keep their old values
 *   in that object; `require` then hands out the new exports, and a note
 *   says which names the app still sees old. A module the app has not loaded yet is loaded and
 *   cached, as `require` would. When the exports are a function, a value or
 *   a frozen object, they cannot change in place: `require` hands out the new
 *   ones from now on, and a note says that holders of the old ones keep them.
 * - ES modules (`.mjs`, `.js` under `"type": "module"`, `.mts`): a module
 *   record cannot be evaluated twice, so the app's instance cannot change.
 *   The file is imported again under a new URL (`?nrepl-ts-reload=N`): a
 *   fresh instance with fresh state, returned as its namespace, with a note
 *   that says the app keeps its own instance.
 *
 * Editor contents that differ from the file on disk run as they are for a
 * `.js`/`.cjs` CommonJS module; a file that goes through a loader hook or the
 * ES module loader is read from disk by them, so it must be saved first (an
 * error says so). Main thread; called by evaluate.ts for load-file requests
 * that name an existing file. It does not print or report.
 */
import { existsSync, readFileSync } from 'node:fs';
import Module from 'node:module';
import { dirname, extname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { moduleScope } from './esm-require-guard';

/** What load-file did: the value to print, and what the user must know about it. */
export interface ModuleLoad {
  value: unknown;
  /** Shown as err text before the value. */
  note?: string;
}

interface InternalModule {
  exports: unknown;
  filename: string;
  paths: string[];
  loaded: boolean;
  _compile(content: string, filename: string): unknown;
}

interface ModuleStatics {
  new (id: string, parent?: unknown): InternalModule;
  _extensions: Record<string, ((module: InternalModule, filename: string) => void) | undefined>;
  _nodeModulePaths(dir: string): string[];
  _cache: Record<string, InternalModule | undefined>;
}

const Mod = Module as unknown as ModuleStatics;
let reloads = 0;

/** The kind of module `filename` is, or undefined when load-file should evaluate it as REPL code (no such file, unknown kind). */
export function moduleKind(filename: string): 'commonjs' | 'esm' | undefined {
  if (!existsSync(filename)) return undefined;
  if (Mod._cache[filename]) return 'commonjs';
  const ext = extname(filename).toLowerCase();
  if (ext === '.mjs' || ext === '.mts') return 'esm';
  if (ext === '.cjs' || ext === '.cts') return Mod._extensions[ext] ? 'commonjs' : undefined;
  if (ext === '.js' || ext === '.ts' || ext === '.tsx') {
    if (moduleScope(dirname(filename))) return 'esm';
    return Mod._extensions[ext] ? 'commonjs' : undefined;
  }
  return undefined;
}

/** Loads `filename` as its module from the editor's `contents`; throws what the module throws. */
export function loadAsModule(filename: string, contents: string, kind: 'commonjs' | 'esm'): ModuleLoad | Promise<ModuleLoad> {
  return kind === 'commonjs' ? loadCommonJs(filename, contents) : loadEsm(filename, contents);
}

function unsaved(filename: string, how: string): Error {
  const err = new Error(
    `load-file ${filename}: the editor's text differs from the file on disk, and ${how} reads the file from disk. Save the file, then load it again.`,
  );
  // The agent's own refusal: no frame of it is the user's.
  err.stack = `Error: ${err.message}`;
  return err;
}

function onDisk(filename: string, contents: string): boolean {
  try {
    return readFileSync(filename, 'utf8') === contents;
  } catch {
    return false;
  }
}

function loadCommonJs(filename: string, contents: string): ModuleLoad {
  const fresh = new Mod(filename, undefined);
  fresh.filename = filename;
  fresh.paths = Mod._nodeModulePaths(dirname(filename));
  const ext = extname(filename).toLowerCase();
  if (ext === '.js' || ext === '.cjs') {
    fresh._compile(contents, filename);
  } else {
    const handler = Mod._extensions[ext] ?? Mod._extensions['.js'];
    if (!onDisk(filename, contents)) throw unsaved(filename, `the app's loader for ${ext}`);
    handler!(fresh, filename);
  }
  fresh.loaded = true;
  const cached = Mod._cache[filename];
  if (!cached) {
    Mod._cache[filename] = fresh;
    return { value: fresh.exports };
  }
  return updateExports(cached, fresh.exports);
}

/** Moves the new exports into the object the app holds; replaces it only when it cannot change in place. */
export function updateExports(cached: { exports: unknown }, next: unknown): ModuleLoad {
  const old = cached.exports;
  const isObject = (v: unknown): v is object => typeof v === 'object' && v !== null;
  if (isObject(old) && isObject(next) && Object.isExtensible(old)) {
    const failed: string[] = [];
    for (const key of Reflect.ownKeys(old)) {
      if (!Object.prototype.hasOwnProperty.call(next, key) && !Reflect.deleteProperty(old, key)) failed.push(String(key));
    }
    for (const key of Reflect.ownKeys(next)) {
      const descriptor = Object.getOwnPropertyDescriptor(next, key)!;
      try {
        Object.defineProperty(old, key, descriptor);
      } catch {
        failed.push(String(key));
      }
    }
    if (failed.length === 0) return { value: old };
    // Compiled ESM-to-CommonJS output (tsx, esbuild, tsc) defines exports as fixed getters over the old module's bindings.
    cached.exports = next;
    return {
      value: next,
      note:
        `nrepl-ts: load-file could not update ${failed.join(', ')} in the exports object the app holds (the properties are not configurable, ` +
        'as compiled TypeScript or ESM-to-CommonJS output defines them): code that already holds that object keeps the old definitions; ' +
        'require() returns the new exports from now on.\n',
    };
  }
  cached.exports = next;
  const what = typeof old === 'function' ? 'a function' : isObject(old) ? 'a frozen or sealed object' : 'a plain value';
  return {
    value: next,
    note: `nrepl-ts: the module's exports are ${what} and cannot change in place: require() returns the new exports from now on, but code that already holds the old ones keeps them.\n`,
  };
}

async function loadEsm(filename: string, contents: string): Promise<ModuleLoad> {
  if (!onDisk(filename, contents)) throw unsaved(filename, 'the ES module loader');
  reloads += 1;
  const url = `${pathToFileURL(filename).href}?nrepl-ts-reload=${reloads}`;
  const namespace: unknown = await import(url);
  return {
    value: namespace,
    note:
      `nrepl-ts: ${filename} is an ES module, which cannot be evaluated again in place: load-file imported a fresh instance (${url}) ` +
      'and returned its namespace; the app keeps its own instance and state, and modules that import the file keep the old code.\n',
  };
}
