/**
 * Removes the agent's files (`.nrepl-port`, unix sockets) when the process
 * exits normally or through process.exit. Deaths by signal are covered by
 * the port file watchdog (server/port-file.ts); no signal listener is added,
 * so the host dies of its signals exactly as before.
 */

let installed = false;
let cleanups: Array<() => void> = [];

/** Registers `cleanup` to run once at exit; installs the hook on first use. */
export function installExitCleanup(cleanup: () => void): void {
  if (!cleanups.includes(cleanup)) cleanups.push(cleanup);
  if (installed) return;
  installed = true;
  process.on('exit', runCleanups);
}

function runCleanups(): void {
  const todo = cleanups;
  cleanups = [];
  for (const cleanup of todo) {
    try {
      cleanup();
    } catch {
      // Exit must go on whatever a cleanup does.
    }
  }
}
