/**
 * Turns a spec's `accept` string into the handler that serves its
 * connections. Runs in the worker at server start, so mistakes that can be
 * seen early (a relative module file that does not exist) are reported once
 * at start-up instead of on every connection.
 *
 * - `nrepl-ts/nrepl`, `nrepl-ts/prepl`, `nrepl-ts/repl`: protocol handlers
 *   that live in the worker, so they keep answering (and can be interrupted)
 *   while the host's main thread is busy; they evaluate on the main thread.
 * - user functions (`./tools/accept.js#handle`, `some-package#handle`,
 *   `some-package` for the default export): run on the main thread, where the
 *   host's modules and globals are, over bridged streams.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { HandlerRef } from '../../seam/channel';
import { BUILTIN_ACCEPTS } from '../../shared/config/defaults';

/** The built-in accept functions, all living in the worker. */
export type WorkerAcceptName = 'nrepl' | 'prepl' | 'repl';

/** Where a server's connections are handled. */
export type ResolvedAccept =
  | { where: 'worker'; name: WorkerAcceptName }
  | { where: 'main'; handler: HandlerRef };


/** Resolves `accept`; returns an error sentence instead of throwing. */
export function resolveAccept(accept: string, baseDir: string): ResolvedAccept | { error: string } {
  if (accept === 'nrepl-ts/nrepl') return { where: 'worker', name: 'nrepl' };
  if (accept === 'nrepl-ts/prepl') return { where: 'worker', name: 'prepl' };
  if (accept === 'nrepl-ts/repl') return { where: 'worker', name: 'repl' };
  if (accept.startsWith('nrepl-ts/')) {
    return { error: `unknown built-in accept "${accept}"; the built-ins are ${BUILTIN_ACCEPTS.join(', ')}` };
  }
  const hash = accept.lastIndexOf('#');
  const specifier = hash > 0 ? accept.slice(0, hash) : accept;
  const exportName = hash > 0 ? accept.slice(hash + 1) : 'default';
  if (specifier === '' || exportName === '') {
    return { error: `accept "${accept}" must be a module specifier with an optional #export, e.g. ./tools/accept.js#handle` };
  }
  const relative = specifier.startsWith('./') || specifier.startsWith('../../index');
  if (relative || isAbsolute(specifier)) {
    const file = resolve(baseDir, specifier);
    if (!existsSync(file)) {
      return { error: `accept module ${file} does not exist (resolved from ${baseDir}); check the path in "accept"` };
    }
  }
  return { where: 'main', handler: { kind: 'module', specifier, exportName, baseDir } };
}
