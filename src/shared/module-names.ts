/**
 * Completion inside a module string — `require('`, `import('`, `from '`,
 * `import '` — and nothing but module names there: Node's built-in modules,
 * the packages in the `node_modules` folders from the eval's `ns` folder up
 * to the file-system root (`@scope/name` too), and, for `./`, `../` or `/`,
 * the folders and module files (.js .cjs .mjs .json .node .ts .mts .cts
 * .jsx .tsx) at that path.
 *
 * It reads the file system (folder listings only, never a file's content)
 * and needs nothing from the host's heap, so the worker answers it
 * (nrepl/ops/tooling.ts) and the host's main thread does no work. A
 * `node_modules` listing is kept until that folder's mtime changes. Never
 * throws.
 */
import { readdirSync, statSync, type Dirent } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { builtinModules, isBuiltin } from 'node:module';
import { scriptPath } from './script-path';

/** Text ending inside a module string; group 1 is what was typed in it. */
export const MODULE_PREFIX =
  /(?:(?:^|[^\p{ID_Continue}$.])(?:require|import)\s*\(\s*|(?:^|[^\p{ID_Continue}$.])(?:from|import)\s*)['"`]([^'"`\\\n]*)$/u;

const MODULE_FILE = /\.(?:[cm]?[jt]s|json|node|[jt]sx)$/;
/** Most folder entries looked at per listing: a huge folder must not stall the worker. */
const MAX_ENTRIES = 20_000;

/** One candidate: the full replacement text for the prefix. */
export interface ModuleCandidate {
  candidate: string;
  type: 'module';
}

/**
 * Candidates when `text` ends inside a module string, else undefined (the
 * caller completes code). `ns` is the eval's ns (a file or folder; `user` or
 * absent: the working directory).
 */
export function moduleStringCompletions(text: string, ns: string | undefined, limit = 1000): ModuleCandidate[] | undefined {
  let match: RegExpExecArray | null;
  try {
    match = MODULE_PREFIX.exec(String(text));
  } catch {
    return undefined;
  }
  if (!match) return undefined;
  try {
    const typed = match[1] as string;
    const head = text.slice(0, text.length - typed.length);
    const base = dirname(scriptPath({ ns }).base);
    const names = /^\.{0,2}\//.test(typed) || typed === '.' || typed === '..' ? pathNames(typed, base) : packageNames(typed, base);
    return names.slice(0, Math.max(0, limit)).map((name) => ({ candidate: head + name, type: 'module' as const }));
  } catch {
    return [];
  }
}

function packageNames(typed: string, base: string): string[] {
  const showPrivate = typed.replace(/^node:/, '').startsWith('_');
  const builtins = builtinModuleNames().filter(
    (name) => name.startsWith(typed) && (showPrivate || !name.replace(/^node:/, '').startsWith('_')),
  );
  if (typed.startsWith('node:')) return [...builtins];
  const found = new Set<string>();
  for (let dir = base; ; dir = dirname(dir)) {
    for (const name of installedPackages(join(dir, 'node_modules'))) if (name.startsWith(typed)) found.add(name);
    if (dirname(dir) === dir) break;
  }
  // Packages first (the app's own dependencies are what one looks for), then built-ins; each sorted.
  return [...[...found].sort(), ...builtins.filter((b) => !found.has(b))];
}

const packageCache = new Map<string, { mtimeMs: number; names: string[] }>();

/** Package names in one node_modules folder, `@scope/name` for scoped ones. */
function installedPackages(folder: string): string[] {
  let mtimeMs: number;
  try {
    mtimeMs = statSync(folder).mtimeMs;
  } catch {
    packageCache.delete(folder);
    return [];
  }
  const cached = packageCache.get(folder);
  if (cached && cached.mtimeMs === mtimeMs) return cached.names;
  const names: string[] = [];
  for (const entry of list(folder)) {
    if (entry.name.startsWith('.')) continue;
    if (entry.name.startsWith('@') && isFolder(folder, entry)) {
      for (const inner of list(join(folder, entry.name))) if (!inner.name.startsWith('.')) names.push(`${entry.name}/${inner.name}`);
    } else if (isFolder(folder, entry)) {
      names.push(entry.name);
    }
  }
  packageCache.set(folder, { mtimeMs, names });
  return names;
}

function pathNames(typed: string, base: string): string[] {
  const slash = typed.lastIndexOf('/');
  const folderPart = slash < 0 ? '' : typed.slice(0, slash + 1);
  const rest = slash < 0 ? typed : typed.slice(slash + 1);
  if (slash < 0) return typed === '.' ? ['./', '../'] : ['../'];
  const folder = resolve(base, folderPart);
  const out: string[] = [];
  for (const entry of list(folder)) {
    if (!entry.name.startsWith(rest) || (entry.name.startsWith('.') && !rest.startsWith('.'))) continue;
    if (isFolder(folder, entry)) out.push(`${folderPart}${entry.name}/`);
    else if (MODULE_FILE.test(entry.name)) out.push(folderPart + entry.name);
  }
  return out.sort();
}

function list(folder: string): Dirent[] {
  try {
    const entries = readdirSync(folder, { withFileTypes: true });
    return entries.length > MAX_ENTRIES ? entries.slice(0, MAX_ENTRIES) : entries;
  } catch {
    return [];
  }
}

/** A folder, or a link to one (pnpm and npm link install packages as links). */
function isFolder(parent: string, entry: Dirent): boolean {
  if (entry.isDirectory()) return true;
  if (!entry.isSymbolicLink()) return false;
  try {
    return statSync(join(parent, entry.name)).isDirectory();
  } catch {
    return false;
  }
}

let moduleNames: string[] | undefined;

/**
 * Node's built-in module specifiers as `require` accepts them: `fs` and
 * `node:fs` for each classic module, only the `node:` form for scheme-only
 * ones (`node:test`, `node:sqlite`).
 */
export function builtinModuleNames(): readonly string[] {
  if (!moduleNames) {
    const names = new Set<string>();
    for (const name of builtinModules) {
      names.add(name);
      if (!name.startsWith('node:')) names.add(`node:${name}`);
    }
    for (const name of ['node:test', 'node:test/reporters', 'node:sea', 'node:sqlite']) {
      // Present in builtinModules only on newer Nodes; check that this one has them.
      if (!names.has(name) && isBuiltin(name)) names.add(name);
    }
    moduleNames = [...names].sort();
  }
  return moduleNames;
}
