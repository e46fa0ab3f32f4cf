/**
 * Output capture on the main thread: routes what evaluated code writes to
 * process.stdout / process.stderr (console.* included) to the client that
 * started it, even from timers, promises and callbacks started by that code,
 * after the evaluation returned. The host's own output is untouched.
 *
 * How: an AsyncLocalStorage store carries the client's route through every
 * async continuation of an evaluation; stdout/stderr `write` are wrapped once,
 * on first use, and consult the store. No store, or a closed route: the
 * original write runs unchanged.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** Where an evaluation's output goes. */
export interface OutputRoute {
  out(text: string): void;
  err(text: string): void;
  /** False once the client is gone: output then falls back to the host's streams. */
  readonly active: boolean;
}

const storage = new AsyncLocalStorage<OutputRoute>();
let installed = false;
let systemListener: ((stream: 'out' | 'err', text: string) => void) | undefined;

/** Also hands the host's own output (not an evaluation's) to `listener`; undefined stops. */
export function setSystemOutputListener(listener: ((stream: 'out' | 'err', text: string) => void) | undefined): void {
  installCapture();
  systemListener = listener;
}

/** Runs `fn` (and everything it starts) with its output sent to `route`. */
export function runWithRoute<T>(route: OutputRoute, fn: () => T): T {
  installCapture();
  return storage.run(route, fn);
}

/** The route of the code running now, if it was started by an evaluation. */
export function currentRoute(): OutputRoute | undefined {
  return storage.getStore();
}

/**
 * Clears a route that leaked into the current resource: an evaluation stopped
 * by Runtime.terminateExecution never leaves its storage.run scope.
 */
export function resetRoute(): void {
  storage.enterWith(undefined as unknown as OutputRoute);
}

function installCapture(): void {
  if (installed) return;
  installed = true;
  wrap(process.stdout, 'out');
  wrap(process.stderr, 'err');
}

let pendingCallbacks: Array<() => void> = [];

/** Calls a routed write's callback on the next tick; one tick per burst of writes, in order. */
function afterWrite(callback: () => void): void {
  pendingCallbacks.push(callback);
  if (pendingCallbacks.length > 1) return;
  process.nextTick(() => {
    const callbacks = pendingCallbacks;
    pendingCallbacks = [];
    for (const cb of callbacks) cb();
  });
}

function toText(chunk: unknown, encoding: unknown): string {
  if (typeof chunk === 'string') {
    return typeof encoding === 'string' && encoding !== 'utf8' && encoding !== 'utf-8' ? Buffer.from(chunk, encoding as BufferEncoding).toString('utf8') : chunk;
  }
  return Buffer.from(chunk as Uint8Array).toString('utf8');
}

function wrap(stream: NodeJS.WriteStream, kind: 'out' | 'err'): void {
  // console colours its output when the host's stream is a terminal; evaluated code's output
  // goes to a client, not that terminal, so within an evaluation the stream reports no colours.
  const originalDepth = stream.getColorDepth;
  if (typeof originalDepth === 'function') {
    stream.getColorDepth = function (this: NodeJS.WriteStream, ...args: unknown[]): number {
      return storage.getStore() ? 1 : (originalDepth as (...a: unknown[]) => number).apply(this, args);
    } as typeof stream.getColorDepth;
  }
  const original = stream.write;
  const routed = function (this: NodeJS.WriteStream, chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
    const route = storage.getStore();
    if (route === undefined || !route.active) {
      if (systemListener) {
        try {
          systemListener(kind, toText(chunk, encoding));
        } catch {
          // Forwarding is best effort; the host's write must happen regardless.
        }
      }
      return (original as (...a: unknown[]) => boolean).apply(this, arguments as unknown as unknown[]);
    }
    route[kind](toText(chunk, encoding));
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') afterWrite(done as () => void);
    return true;
  };
  stream.write = routed as typeof stream.write;
}
