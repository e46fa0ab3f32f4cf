/**
 * The completion source for the REPL conveniences (scope.ts) — `_ _error
 * $1 $2 $3 $e $readLine $stdin require module exports` and the built-in
 * module names (`fs`, `path`, …) — completed as the evaluated code would see
 * them: only the names the app has no global of, with the session's values
 * (`_.na` completes the members of the last value).
 *
 * A built-in module's members are listed by loading it, as reading the name
 * in an eval would, except for the modules whose loading changes the process
 * or prints a warning ({@link UNLOADED}). Main thread; never throws.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { CompletionSource } from './complete';
import type { Kind } from './resolve-path';
import { BUILTIN_NAMES, SESSION_NAMES } from '../eval/scope';
import type { EvalSession } from '../eval/sessions';

/** Modules never loaded to list their members: `domain` changes the process, the others warn when loaded. */
export const UNLOADED = new Set(['domain', 'sys', 'punycode', 'wasi', 'trace_events', 'inspector', 'test', 'sqlite', 'sea']);

const NAMES: readonly string[] = [...SESSION_NAMES, ...BUILTIN_NAMES];
const MODULES = new Set(BUILTIN_NAMES);

/** The conveniences of `session` (absent: an ephemeral one with no history). */
export function conveniencesSource(session: EvalSession | undefined, root: object = globalThis): CompletionSource {
  const visible = () => NAMES.filter((name) => !(name in root));
  return {
    names: visible,
    kind: (name): Kind | undefined => (MODULES.has(name) ? 'module' : name === 'require' || name === '$readLine' ? 'function' : 'var'),
    value: (name) => {
      try {
        if (name in root) return { ok: false };
        if (MODULES.has(name)) return UNLOADED.has(name) ? { ok: false } : { ok: true, value: require(`node:${name}`) as unknown };
        switch (name) {
          case '_':
          case '$1':
            return { ok: true, value: session?.history[0] };
          case '$2':
            return { ok: true, value: session?.history[1] };
          case '$3':
            return { ok: true, value: session?.history[2] };
          case '_error':
          case '$e':
            return { ok: true, value: session?.lastError };
          case 'require':
            return { ok: true, value: createRequire(join(process.cwd(), '[nrepl-eval]')) };
          default:
            return { ok: false };
        }
      } catch {
        return { ok: false };
      }
    },
  };
}
