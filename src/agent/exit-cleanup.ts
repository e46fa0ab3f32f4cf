/**
 * Removes the agent's files (`.nrepl-port`, unix sockets) when the process
 * ends — normally, by process.exit, or by SIGINT/SIGTERM/SIGHUP — without
 * changing how the host ends.
 *
 * Node's default for these signals is to die of the signal; any listener
 * replaces that default. So the listener installed here steps aside when the
 * app has listeners of its own (the app decides, and the 'exit' hook cleans
 * up if it exits), and otherwise cleans up, removes itself and re-raises the
 * signal so the process dies of it with the usual status.
 */

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
let installed = false;
let cleanups: Array<() => void> = [];

/** Registers `cleanup` to run once at exit; installs the hooks on first use. */
export function installExitCleanup(cleanup: () => void): void {
  if (!cleanups.includes(cleanup)) cleanups.push(cleanup);
  if (installed) return;
  installed = true;
  process.on('exit', runCleanups);
  for (const signal of SIGNALS) {
    const onSignal = (): void => {
      if (process.listenerCount(signal) > 1) return; // the app handles this signal itself
      runCleanups();
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
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
