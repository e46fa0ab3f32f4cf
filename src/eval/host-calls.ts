/**
 * Main-thread handler for calls from the worker's protocol servers
 * (evaluate, complete, look up). Filled in by the nREPL server.
 */
import type { ToHost, ToWorker } from '../agent/channel';

/** Answers host calls from the worker. */
export class HostCalls {
  constructor(private readonly post: (m: ToWorker) => void) {}

  /** Handles one call message. */
  receive(message: Extract<ToHost, { t: 'eval' }>): void {
    this.post({ t: 'evalReply', call: message.call, final: true, event: { error: `unknown host call ${String(message.kind)}` } });
  }
}
