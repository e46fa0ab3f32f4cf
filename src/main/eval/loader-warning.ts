/**
 * Keeps the agent's own ExperimentalWarning away from the user. On Node 20
 * (and 22 before it was stabilised), the first dynamic `import()` of code
 * compiled with `vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER` — every eval's
 * `import()` — prints "ExperimentalWarning: vm.USE_MAIN_CONTEXT_DEFAULT_LOADER
 * is an experimental feature" into the client's output. Node warns once per
 * feature and process, so this module spends that one warning up front on a
 * throw-away `import('node:path')`, with process.emitWarning replaced only
 * for that synchronous call. The app's own warnings are never touched.
 */
import * as vm from 'node:vm';

let spent = false;

/** Spends the loader's one-time warning silently (first eval only). */
export function spendLoaderWarning(): void {
  if (spent) return;
  spent = true;
  const original = process.emitWarning;
  process.emitWarning = function (warning: string | Error, ...rest: unknown[]): void {
    const text = typeof warning === 'string' ? warning : warning?.message;
    if (typeof text === 'string' && text.includes('USE_MAIN_CONTEXT_DEFAULT_LOADER')) return;
    (original as (...a: unknown[]) => void).call(process, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    const pending = vm.runInThisContext("import('node:path')", {
      filename: 'nrepl-ts:loader-warning',
      importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    }) as Promise<unknown>;
    pending.catch(() => {});
  } catch {
    // No such constant or no dynamic import: nothing to spend.
  } finally {
    process.emitWarning = original;
  }
}
