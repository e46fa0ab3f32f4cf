/**
 * Preload entry (`node --import nrepl-ts/register`, `--require`, NODE_OPTIONS).
 * Side effects only; the logic is in agent/gate.ts. Nothing may escape to the host.
 */
import { startFromPreload } from './main/gate';
import { say } from './log';

try {
  startFromPreload();
} catch (err) {
  say(`NREPL_INTERNAL: the agent could not start and stays off: ${err instanceof Error ? err.message : String(err)}`);
}
