/** `nrepl-ts/nrepl`: placeholder until the nREPL server lands. */
import type { HostLink } from '../agent/host-link';
import type { WorkerAccept } from '../server/registry';

/** Creates the worker-side accept function of the nREPL server. */
export function createNreplAccept(_host: HostLink): WorkerAccept {
  return ({ socket }) => socket.destroy();
}
