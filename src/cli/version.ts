/** The installed nrepl-ts version, read from the package.json next to dist/ (for --version and `client-version`). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

let cached: string | undefined;

/** The `version` of nrepl-ts's own package.json, or "unknown" when it cannot be read. */
export function packageVersion(): string {
  if (cached === undefined) {
    try {
      cached = String((JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version?: unknown }).version ?? 'unknown');
    } catch {
      cached = 'unknown';
    }
  }
  return cached;
}
