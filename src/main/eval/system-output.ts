/**
 * nREPL `forward-system-output`: copies of what the host itself writes to
 * stdout/stderr (not evaluated code) go to every subscribed connection. The
 * host's own output still reaches its terminal unchanged.
 */
import { setSystemOutputListener } from './capture';
import type { CallEmitter } from './emitter';

const subscribers = new Map<number, { conn: number; emitter: CallEmitter }>();

/** Subscribes a connection (one call per subscription). */
export function forwardSystemOutput(call: number, conn: number, emitter: CallEmitter): void {
  subscribers.set(call, { conn, emitter });
  setSystemOutputListener((stream, text) => {
    for (const { emitter: e } of subscribers.values()) e.output(stream, text);
  });
}

/** Connections subscribed now. */
export function forwardingConnections(): number[] {
  return [...new Set([...subscribers.values()].map((s) => s.conn))];
}

/** Ends the subscriptions of a closed connection. */
export function stopForwarding(conn: number): void {
  for (const [call, s] of subscribers) if (s.conn === conn) subscribers.delete(call);
  if (subscribers.size === 0) setSystemOutputListener(undefined);
}
