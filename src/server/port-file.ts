/**
 * `.nrepl-port` files: written owner-only when an nREPL server listens,
 * removed on stop or exit only while they still hold that server's port (a
 * newer server may have replaced the file meanwhile).
 */
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import type { CleanupFile } from '../agent/channel';

/** Writes `port` (decimal, no newline: the nREPL convention) to `path` with mode 0600. */
export function writePortFile(path: string, port: number): CleanupFile {
  const contents = String(port);
  writeFileSync(path, contents, { mode: 0o600 });
  return { path, contents };
}

/** Removes a file the agent created, if it still holds what the agent wrote. Never throws. */
export function removeCleanupFile(file: CleanupFile): boolean {
  try {
    if (file.contents !== undefined && readFileSync(file.path, 'utf8') !== file.contents) return false;
    unlinkSync(file.path);
    return true;
  } catch {
    return false;
  }
}
