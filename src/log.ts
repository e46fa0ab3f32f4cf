/**
 * The agent's only voice: whole lines written synchronously to fd 2.
 *
 * Synchronous fd writes work from the worker thread and while the main thread
 * is blocked, and they never touch the host's process.stdout/stderr objects
 * (which eval output capture patches). Nothing here ever goes to stdout.
 */
import { writeSync } from 'node:fs';
import { envFlag } from './env-flag';

/** Writes one line to stderr, prefixed `nrepl-ts: ` unless it already carries the prefix or is a protocol line. */
export function say(line: string, { raw = false }: { raw?: boolean } = {}): void {
  const text = raw || line.startsWith('nrepl-ts:') ? line : `nrepl-ts: ${line}`;
  try {
    writeSync(2, text.endsWith('\n') ? text : `${text}\n`);
  } catch {
    // stderr closed or full: the host must not suffer for our log line.
  }
}

/** True when NREPL_DEBUG is on (see env-flag.ts: unset, empty, 0, false, no and off mean off). */
export function debugEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return envFlag(env.NREPL_DEBUG);
}

/** Writes a `nrepl-ts[debug]:` line when NREPL_DEBUG is on. */
export function debug(line: string): void {
  if (debugEnabled()) say(`nrepl-ts[debug]: ${line}`, { raw: true });
}
