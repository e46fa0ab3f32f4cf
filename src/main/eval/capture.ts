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
 *
 * When: on Node 20/22 an enabled AsyncLocalStorage installs promise hooks, so
 * every `await` of the host pays for it. The store is switched on by the first
 * evaluation (not by completion, lookup or any other main-thread call) and off again
 * (`releaseRoutes`) once no client is connected, unless an evaluation may
 * still have async work running. Which one may: while its synchronous part
 * runs, an init-only async hook counts the async resources it creates (timers,
 * promises, ticks, I/O); an evaluation that created none is over when it
 * returns. One that created any, or was stopped by terminateExecution, keeps
 * the store on for the life of the process: the agent cannot see that work
 * end without paying for the tracking all the time.
 */
import { AsyncLocalStorage, createHook } from 'node:async_hooks';

/** Where an evaluation's output goes. */
export interface OutputRoute {
  out(text: string): void;
  err(text: string): void;
  /** False once the client is gone: output then falls back to the host's streams. */
  readonly active: boolean;
}

const storage = new AsyncLocalStorage<OutputRoute>();
let installed = false;
/** The store is enabled (the first evaluation did it); reads are skipped while it is not. */
let routing = false;
/** An evaluation may still have async work that needs its route: never release. */
let pinned = false;
/** Async resources created by the synchronous part of the running evaluation. */
let created = 0;
let counting = false;
/** The agent's own resource is being created (the tick of routed write callbacks): not the evaluation's. */
let own = false;
const counter = createHook({
  init() {
    if (!own) created++;
  },
});
let systemListener: ((stream: 'out' | 'err', text: string) => void) | undefined;

/** Also hands the host's own output (not an evaluation's) to `listener`; undefined stops. */
export function setSystemOutputListener(listener: ((stream: 'out' | 'err', text: string) => void) | undefined): void {
  installCapture();
  systemListener = listener;
}

/** Runs `fn` (and everything it starts) with its output sent to `route`. */
export function runWithRoute<T>(route: OutputRoute, fn: () => T): T {
  installCapture();
  routing = true;
  // Once pinned, the store stays on whatever this evaluation starts: switching the counter on
  // and off would cost every evaluation ~3 µs for nothing.
  if (pinned) return storage.run(route, fn);
  created = 0;
  counting = true;
  counter.enable();
  try {
    return storage.run(route, fn);
  } finally {
    counter.disable();
    counting = false;
    if (created > 0) pinned = true;
  }
}

/** The route of the code running now, if it was started by an evaluation. */
export function currentRoute(): OutputRoute | undefined {
  return routing ? storage.getStore() : undefined;
}

/** Runs `fn`, whose async resources are the agent's own (they run no evaluated code): not counted. */
export function agentWork<T>(fn: () => T): T {
  const was = own;
  own = true;
  try {
    return fn();
  } finally {
    own = was;
  }
}

/**
 * Switches the store off when no evaluation can still need it; the caller
 * knows no client is connected. The next evaluation switches it on again.
 */
export function releaseRoutes(): void {
  if (!routing || pinned) return;
  routing = false;
  storage.disable();
}

/**
 * Clears a route that leaked into the current resource: an evaluation stopped
 * by Runtime.terminateExecution never leaves its storage.run scope.
 */
export function resetRoute(): void {
  if (counting) {
    // Its synchronous part never ended: what it started is unknown, so its route stays reachable.
    counter.disable();
    counting = false;
    pinned = true;
  }
  // Nothing can have leaked while the store is off; enterWith would switch it on.
  if (routing) storage.enterWith(undefined as unknown as OutputRoute);
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
  agentWork(() => process.nextTick(flushCallbacks));
}

/** Runs the write callbacks; they are the evaluation's code, so what they start is counted as its own. */
function flushCallbacks(): void {
  const callbacks = pendingCallbacks;
  pendingCallbacks = [];
  const before = created;
  if (!counting) counter.enable();
  try {
    for (const cb of callbacks) cb();
  } finally {
    if (!counting) counter.disable();
    if (created !== before) pinned = true;
  }
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
      return currentRoute() ? 1 : (originalDepth as (...a: unknown[]) => number).apply(this, args);
    } as typeof stream.getColorDepth;
  }
  const original = stream.write;
  const routed = function (this: NodeJS.WriteStream, chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
    const route = currentRoute();
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
