/**
 * `.nrepl-port` files (and unix socket files): written owner-only when an nREPL server listens,
 * removed on stop or exit only while they are still the very file the agent
 * created (same device and inode) and, for port files, still hold that
 * server's port (a newer server may have replaced the file meanwhile).
 *
 * A port file is written only where no file exists or where the existing one
 * is itself a port file (a few digits): a `:port-file` pointing at
 * `package.json` or `../notes.txt` is refused, and that file is left alone.
 *
 * Removal when the process dies of a signal (Ctrl-C, SIGTERM, even SIGKILL)
 * is done by a watchdog: a tiny detached `sh` that holds a pipe from this
 * process, ignores terminal signals, and removes the file when the pipe
 * closes (the process died, or its server stopped and released it), with
 * the same identity rule. The agent adds no signal listener to the host: a listener would
 * change how the host dies (a host stuck in a loop could no longer be
 * stopped with Ctrl-C, since JS listeners only run when the loop is free).
 */
import { closeSync, fchmodSync, fstatSync, lstatSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import type { CleanupFile } from '../../seam/channel';
import { fileIdentity, identity } from '../../shared/agent-files';

export { fileIdentity, removeCleanupFile } from '../../shared/agent-files';
import { debug } from '../../log';

// $1 path, $2 identity "dev:ino" of the file the agent created, $3 expected contents ("" for a socket).
// GNU stat (-c) first, BSD stat (-f) second; neither follows symlinks, like lstat.
const WATCHDOG = [
  `trap '' INT TERM HUP QUIT`,
  `read _ignored`,
  `id=$(stat -c %d:%i "$1" 2>/dev/null || stat -f %d:%i "$1" 2>/dev/null)`,
  `[ -n "$id" ] && [ "$id" = "$2" ] || exit 0`,
  `if [ -n "$3" ]; then [ "$(cat "$1" 2>/dev/null)" = "$3" ] || exit 0; fi`,
  `rm -f "$1"`,
].join('\n');

/** Largest file taken for a port file: five digits and a newline, with room to spare. */
const MAX_PORT_FILE_BYTES = 16;

/** A running watchdog; `release` ends it (it then removes its file only if that is still ours). */
export interface Watchdog {
  release(): void;
}

/** True when `text` is what a port file holds: a port number, optionally followed by one newline. */
export function isPortFileText(text: string): boolean {
  return /^\d{1,5}\r?\n?$/.test(text);
}

/**
 * Why the agent must not write a port file at `path`, or undefined when it
 * may: nothing is there, or a regular file that holds a port number is.
 */
export function portFileObstacle(path: string): string | undefined {
  let stat;
  try {
    stat = lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return `cannot inspect it (${(err as Error).message})`;
  }
  if (stat.isSymbolicLink()) return 'it is a symbolic link, not a port file';
  if (stat.isDirectory()) return 'it is a directory';
  if (!stat.isFile()) return 'it is not a regular file';
  if (stat.size > MAX_PORT_FILE_BYTES) return `it is not a port file (${stat.size} bytes)`;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return `cannot read it (${(err as Error).message})`;
  }
  return isPortFileText(text) ? undefined : 'it is not a port file (it holds something other than a port number)';
}

/**
 * Writes `port` (decimal, no newline: the nREPL convention) to `path`, owner-only
 * (0600), and guards it. Throws, leaving `path` untouched, when something
 * other than a port file is there (see portFileObstacle).
 *
 * The file is written under a temporary name created exclusively with mode
 * 0600 and renamed into place, because writing `path` directly would keep
 * the mode of a stale file left by someone else (open's mode applies only on
 * creation) and would write through a symlink planted at `path`. Readers
 * never see a half-written file either.
 */
export function writePortFile(path: string, port: number): { file: CleanupFile; watchdog: Watchdog } {
  const obstacle = portFileObstacle(path);
  if (obstacle !== undefined) throw new Error(`refusing to overwrite ${path}: ${obstacle}`);
  const contents = String(port);
  const temporary = `${path}.${process.pid}.${Date.now().toString(36)}.tmp`;
  let watchdog: Watchdog | undefined;
  try {
    const fd = openSync(temporary, 'wx', 0o600);
    let id: string;
    try {
      fchmodSync(fd, 0o600); // whatever the umask
      writeSync(fd, contents);
      id = identity(fstatSync(fd, { bigint: true }));
    } finally {
      closeSync(fd);
    }
    // Watchdog before the rename: a process killed right after it must not leave the file behind.
    watchdog = guardFile(path, id, contents);
    renameSync(temporary, path);
    return { file: { path, contents, id }, watchdog };
  } catch (err) {
    watchdog?.release();
    try {
      unlinkSync(temporary);
    } catch {
      // Never created, or already renamed.
    }
    throw err;
  }
}

/**
 * Starts the watchdog that removes `path` once this process is gone or the
 * watchdog is released, if `path` is still the file with identity `id`
 * (`dev:ino`) and, when `contents` is given, still holds `contents`.
 */
export function guardFile(path: string, id: string, contents = ''): Watchdog {
  try {
    // Loaded here, not at the top: the main thread imports this module for cleanup only.
    const { spawn } = require('node:child_process') as typeof import('node:child_process');
    const child = spawn('/bin/sh', ['-c', WATCHDOG, 'nrepl-ts-port-file-watchdog', path, id, contents], {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
    });
    child.on('error', (err) => debug(`port file watchdog unavailable: ${err.message}`));
    child.stdin?.on('error', () => {});
    child.unref();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    // Closing the pipe is what the watchdog waits for; it then checks identity before removing anything.
    return { release: () => child.stdin?.destroy() };
  } catch (err) {
    debug(`port file watchdog unavailable: ${(err as Error).message}`);
    return { release: () => {} };
  }
}
