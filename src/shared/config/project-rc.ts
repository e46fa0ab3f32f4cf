/**
 * Finds the project cosmiconfig file as the loader would (the first of
 * RC_SEARCH_PLACES in the working folder that configures anything) and
 * reads it when it holds JSON, with no config checker loaded: the exit check
 * (main/exit-report.ts) asks this first, to know whether it must wait for
 * the worker's loader and whether the config can be remembered, before it
 * loads anything heavier. Pure apart from reading the few files; never throws.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { RC_SEARCH_PLACES } from './places';

/** What the search found: nothing, JSON data to interpret, or a file only the loader can read. */
export type ProjectRc =
  | { kind: 'none' }
  | { kind: 'json'; file: string; place: (typeof RC_SEARCH_PLACES)[number]; data: unknown }
  | { kind: 'loader'; file: string };

/** A config file's text; undefined when it is absent or unreadable (a folder, no permission). */
export function readText(file: string): string | undefined {
  try {
    return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}

/** The project rc file of `cwd`; see the module header. */
export function findProjectRc(cwd: string): ProjectRc {
  for (const place of RC_SEARCH_PLACES) {
    const file = path.resolve(cwd, place);
    const text = readText(file);
    if (text === undefined) {
      // Present but unreadable (a folder, no permission): the loader words that problem.
      if (existsSync(file)) return { kind: 'loader', file };
      continue;
    }
    // The loader skips an empty file and searches on (cosmiconfig's ignoreEmptySearchPlaces).
    if (place !== 'package.json' && text.trim() === '') continue;
    const json = place === 'package.json' || place === '.nreplrc' || place === '.nreplrc.json';
    if (!json) return { kind: 'loader', file };
    let data: unknown;
    try {
      data = JSON.parse(text) as unknown;
    } catch {
      // The loader skips a broken package.json; a broken (or YAML) .nreplrc it reads or reports in its own words.
      if (place === 'package.json') continue;
      return { kind: 'loader', file };
    }
    if (place === 'package.json') {
      if (data === null || typeof data !== 'object' || !Object.hasOwn(data, 'nrepl')) continue;
      data = (data as { nrepl: unknown }).nrepl;
      if (data === undefined) return { kind: 'none' };
    }
    return { kind: 'json', file, place, data };
  }
  return { kind: 'none' };
}

/** The rc file only the loader can read (YAML, JavaScript, a `.nreplrc` that is not JSON), else undefined. */
export function loaderFile(cwd: string): string | undefined {
  const found = findProjectRc(cwd);
  return found.kind === 'loader' ? found.file : undefined;
}
