/**
 * `tap(value)`: Clojure's `tap>` for Node. Sends the value to every prepl
 * client connected to this process, as a `:tap` message; returns true if
 * someone was listening, false otherwise. With no prepl client it does
 * nothing at all — no printing, no message — so it may stay in app code.
 *
 * The state lives on globalThis under a `Symbol.for` key, not in this module:
 * the app's `import { tap } from 'nrepl-ts'` may load another copy of the
 * package than the preload did, and both must see the same listeners. The
 * agent installs the sender while prepl clients are connected
 * (prepl/tap-sender.ts); `tap` only looks it up, so this module loads nothing.
 */

const TAP_KEY = Symbol.for('nrepl-ts.tap');

interface TapSlot {
  send?: (value: unknown) => void;
}

function slot(): TapSlot {
  const g = globalThis as unknown as Record<symbol, TapSlot | undefined>;
  return (g[TAP_KEY] ??= {});
}

/**
 * Sends `value` to every connected prepl client as `{:tag :tap :val …}`.
 * Returns true when at least one client listens, false (having done nothing)
 * when none does. Never throws.
 */
export function tap(value: unknown): boolean {
  const send = slot().send;
  if (!send) return false;
  try {
    send(value);
  } catch {
    // A tap must never break the code that taps.
  }
  return true;
}

/** Installs the function that delivers taps (undefined: nobody listens, tap is a no-op). Agent side only. */
export function setTapSender(send: ((value: unknown) => void) | undefined): void {
  slot().send = send;
}
