/**
 * Interprets the text of one nREPL-style EDN file (the project `.nrepl.edn`,
 * the user `nrepl.edn`) as raw server definitions.
 *
 * Pure and light: it reads no file and loads neither node:fs/promises nor
 * cosmiconfig, so the main thread's exit check (quick-check.ts) can use it
 * as cheaply as the worker's readers (files.ts).
 */
import * as path from 'node:path';
import { ErrorCodes, oneLine, type Problem } from '../../errors';
import { EdnSyntaxError, parseEdn } from './edn';
import { interpretFileConfig } from './file-shape';
import type { Level, SourceResult } from './raw';

const EMPTY: SourceResult = { servers: [], problems: [], notes: [], defined: false };

/** Interprets the text of one nREPL-style EDN file. Clojure nREPL's own keys in it are noted, not reported. */
export function ednFileResult(file: string, text: string, level: Level): SourceResult {
  let data: unknown;
  try {
    data = parseEdn(text, { allowEmpty: true });
  } catch (err) {
    const message = err instanceof EdnSyntaxError ? err.message : oneLine(err);
    return { servers: [], problems: [failure(ErrorCodes.CONFIG_PARSE, file, `invalid EDN: ${message}`)], notes: [], defined: true };
  }
  if (data === undefined) return { ...EMPTY, notes: [`${file}: empty, nothing to read`] };
  const result = interpretFileConfig(data, {
    source: file, prefix: '', level, baseDir: path.dirname(file), clojureKeys: true,
  });
  return { ...result, notes: [`read ${file}`, ...result.notes] };
}

function failure(code: Problem['code'], source: string, message: string): Problem {
  return { code, source, path: '', message };
}
