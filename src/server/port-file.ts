/**
 * `.nrepl-port` files (and unix socket files): written owner-only when an nREPL server listens,
 * removed on stop or exit only while they still hold that server's port (a
 * newer server may have replaced the file meanwhile).
 *
 * Removal when the process dies of a signal (Ctrl-C, SIGTERM, even SIGKILL)
 * is done by a watchdog: a tiny detached `sh` that holds a pipe from this
 * process, ignores terminal signals, and removes the file when the pipe
 * closes. The agent adds no signal listener to the host: a listener would
 * change how the host dies (a host stuck in a loop could no longer be
 * stopped with Ctrl-C, since JS listeners only run when the loop is free).
 */
import { closeSync, fchmodSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import type { CleanupFile } from '../agent/channel';
import { debug } from '../log';

// $1 path, $2 expected contents ("" for a unix socket: removed if it is still a socket).
const WATCHDOG = `trap '' INT TERM HUP QUIT; read _ignored; if [ -z "$2" ]; then [ -S "$1" ] && rm -f "$1"; else [ "$(cat "$1" 2>/dev/null)" = "$2" ] && rm -f "$1"; fi`;

/**
 * Writes `port` (decimal, no newline: the nREPL convention) to `path`, owner-only
 * (0600), and guards it.
 *
 * The file is written under a temporary name created exclusively with mode
 * 0600 and renamed into place, because writing `path` directly would keep
 * the mode of a stale file left by someone else (open's mode applies only on
 * creation) and would write through a symlink planted at `path`. Readers
 * never see a half-written file either.
 */
export function writePortFile(path: string, port: number): CleanupFile {
  const contents = String(port);
  // Watchdog first: a process killed right after the write must not leave the file behind.
  guardFile(path, contents);
  const temporary = `${path}.${process.pid}.${Date.now().toString(36)}.tmp`;
  try {
    const fd = openSync(temporary, 'wx', 0o600);
    try {
      fchmodSync(fd, 0o600); // whatever the umask
      writeSync(fd, contents);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (err) {
    try {
      unlinkSync(temporary);
    } catch {
      // Never created, or already renamed.
    }
    throw err;
  }
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

/**
 * Starts the watchdog that removes `path` once this process is gone: if it
 * still holds `contents`, or, without contents, if it is still a socket.
 */
export function guardFile(path: string, contents = ''): void {
  try {
    // Loaded here, not at the top: the main thread imports this module for cleanup only.
    const { spawn } = require('node:child_process') as typeof import('node:child_process');
    const child = spawn('/bin/sh', ['-c', WATCHDOG, 'nrepl-ts-port-file-watchdog', path, contents], {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
    });
    child.on('error', (err) => debug(`port file watchdog unavailable: ${err.message}`));
    child.stdin?.on('error', () => {});
    child.unref();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  } catch (err) {
    debug(`port file watchdog unavailable: ${(err as Error).message}`);
  }
}
