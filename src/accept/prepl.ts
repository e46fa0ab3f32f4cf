/** `nrepl-ts/prepl`: placeholder until the prepl lands. */
import type { HostLink } from '../agent/host-link';
import type { WorkerAccept } from '../server/registry';

/** Creates the worker-side accept function of the prepl server. */
export function createPreplAccept(_host: HostLink): WorkerAccept {
  return ({ socket }) => socket.destroy();
}
