/**
 * The file name evaluated code pretends to be in: `file` if given, else
 * derived from `ns` (a file, or a folder holding `[nrepl-eval]`), else
 * `<cwd>/[nrepl-eval]`. Shared by the main thread (evaluate.ts, for vm and
 * require) and the worker (syntax-error.ts, so a syntax error found before
 * the code reaches the main thread names the same file).
 *
 * Reads the file system only to tell a folder from a file; never throws.
 */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';

/** `filename` for vm and stacks; `base` for require() and the pretend module (ignores `file`). */
let plain: { cwd: string; paths: { filename: string; base: string } } | undefined;

export function scriptPath(req: { file?: string; ns?: string }): { filename: string; base: string } {
  const cwd = process.cwd();
  // Most evals name no file and no path-like ns: the same two names each time, until the cwd changes.
  if (!req.file && !(req.ns && req.ns !== 'user' && /[\\/.]/.test(req.ns))) {
    if (plain?.cwd !== cwd) {
      const base = join(cwd, '[nrepl-eval]');
      plain = { cwd, paths: Object.freeze({ filename: base, base }) };
    }
    return plain.paths;
  }
  const anchor = (p: string): string => (isAbsolute(p) ? p : resolve(cwd, p));
  let base = join(cwd, '[nrepl-eval]');
  if (req.ns && req.ns !== 'user' && /[\\/.]/.test(req.ns)) {
    const target = anchor(req.ns);
    try {
      if (existsSync(target)) base = statSync(target).isDirectory() ? join(target, '[nrepl-eval]') : target;
    } catch {
      // Not a path we can use: evaluate relative to the cwd.
    }
  }
  return { filename: req.file ? anchor(req.file) : base, base };
}
