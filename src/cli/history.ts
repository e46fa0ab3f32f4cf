/**
 * The input history of `nrepl-ts connect`, kept across runs in a plain text
 * file, one entry per line, oldest first (like a shell's): `~/.nrepl-ts_history`,
 * or the path in NREPL_TS_HISTORY (empty: no history file).
 *
 * Loading and saving never fail the REPL: an unreadable file is an empty
 * history, and a failed save is reported once by the caller.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Entries kept in memory and in the file. */
export const HISTORY_SIZE = 1000;

/** The history file for `env`, or undefined when history is turned off. */
export function historyPath(env: NodeJS.ProcessEnv, home: () => string = homedir): string | undefined {
  const given = env.NREPL_TS_HISTORY;
  if (given !== undefined) return given.trim() === '' ? undefined : given;
  try {
    return join(home(), '.nrepl-ts_history');
  } catch {
    return undefined;
  }
}

/** Reads the history, newest first (the order node:readline wants). */
export function loadHistory(path: string | undefined): string[] {
  if (!path) return [];
  try {
    const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '');
    return lines.slice(-HISTORY_SIZE).reverse();
  } catch {
    return [];
  }
}

/** Writes the history (given newest first, as node:readline keeps it), owner-only. Throws on I/O errors. */
export function saveHistory(path: string, newestFirst: readonly string[]): void {
  const lines = newestFirst.slice(0, HISTORY_SIZE).reverse();
  writeFileSync(path, lines.length ? `${lines.join('\n')}\n` : '', { mode: 0o600 });
}
