/**
 * The files the agent creates (`.nrepl-port`, unix sockets) as both threads
 * see them: their identity (`dev:ino`, what the watchdog compares with
 * `stat -c %d:%i`) and their removal, which only ever takes the very file
 * the agent made and, for port files, only while it still holds what the
 * agent wrote. The worker creates and guards them (worker/server/
 * port-file.ts); the main thread removes them at exit.
 */
import { lstatSync, readFileSync, unlinkSync } from 'node:fs';
import type { CleanupFile } from '../seam/channel';

/** `dev:ino` of a stat result (also of an open descriptor). */
export function identity(stat: { dev: bigint | number; ino: bigint | number }): string {
  return `${stat.dev}:${stat.ino}`;
}

/** The identity of the file at `path` (not following symlinks), or undefined if there is none. */
export function fileIdentity(path: string): string | undefined {
  try {
    return identity(lstatSync(path, { bigint: true }));
  } catch {
    return undefined;
  }
}

/** Removes a file the agent created, if it is still that file and holds what the agent wrote. Never throws. */
export function removeCleanupFile(file: CleanupFile): boolean {
  try {
    if (file.id !== undefined && fileIdentity(file.path) !== file.id) return false;
    if (file.contents !== undefined && readFileSync(file.path, 'utf8') !== file.contents) return false;
    unlinkSync(file.path);
    return true;
  } catch {
    return false;
  }
}
