/**
 * What evaluated code can reach besides the host's globals, and the guard
 * that keeps its errors away from the host.
 *
 * - `tap(value)` (tap.ts), the one global the agent defines, and only when
 *   the host has no `tap`. Everything else the REPL offers (`_`, `$1`,
 *   `require`, `fs`...) is visible to the evaluated code only (scope.ts):
 *   the agent never creates, replaces or deletes another global.
 * - The error guard: an exception thrown, or a promise rejection left
 *   unhandled, by code an evaluation started (a timer, a callback, a promise
 *   chain) is reported to that evaluation's client instead of ending the
 *   host. It wraps process.emit (as source-map-support does) rather than
 *   adding 'uncaughtException'/'unhandledRejection' listeners, because any
 *   listener would change how the host's *own* errors end the process; the
 *   host's own errors pass through untouched.
 */
import { currentRoute, type OutputRoute } from './capture';
import type { EvalSession } from './sessions';
import type { CallEmitter } from './emitter';
import { describeError } from '../../shared/print/print';
import { tap } from './tap';

/** The context of one evaluation, carried through everything it starts. */
export interface EvalContext extends OutputRoute {
  session: EvalSession;
  emitter: CallEmitter;
  require: NodeJS.Require;
}

/** The running evaluation's context, if any. */
export function currentContext(): EvalContext | undefined {
  const route = currentRoute() as Partial<EvalContext> | undefined;
  return route && route.session ? (route as EvalContext) : undefined;
}

let globalsInstalled = false;

/** Defines the one global, `tap`, once, unless the host has one (see the module header). */
export function installEvalGlobals(): void {
  if (globalsInstalled) return;
  globalsInstalled = true;
  // tap(value) → :tap to every prepl client (tap.ts); a plain function, also usable from app code via the export.
  if (!('tap' in globalThis)) Object.defineProperty(globalThis, 'tap', { value: tap, writable: true, configurable: true, enumerable: false });
}

/** File names of evaluated scripts → the route of the latest evaluation that used them. */
const evalScripts = new Map<string, OutputRoute>();
let guardInstalled = false;

/** Remembers a script's file name for the error guard's stack fallback. */
export function rememberScript(filename: string, route: OutputRoute): void {
  evalScripts.delete(filename);
  evalScripts.set(filename, route);
  if (evalScripts.size > 256) evalScripts.delete(evalScripts.keys().next().value as string);
}

/**
 * Finds the evaluation behind an error: the async context where it surfaced,
 * or — for queueMicrotask callbacks on Node 20/22, whose context is gone by
 * then — the evaluated script at the top of its stack.
 */
function routeOf(error: unknown, event: 'uncaughtException' | 'unhandledRejection'): OutputRoute | undefined {
  const route = currentRoute();
  if (route) return route;
  // Rejections always carry their async context; reading `.stack` of the host's own rejection
  // here would change how Node reports it (the structured frames are gone once formatted).
  if (event === 'unhandledRejection') return undefined;
  const stack = error instanceof Error && typeof error.stack === 'string' ? error.stack : '';
  const frame = /\n\s+at (?:.*? \()?(.+?):\d+:\d+\)?/.exec(stack);
  return frame ? evalScripts.get(frame[1]) : undefined;
}

/** Installs the error guard once. */
export function installErrorGuard(): void {
  if (guardInstalled) return;
  guardInstalled = true;
  const originalEmit = process.emit;
  process.emit = function (this: NodeJS.Process, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'uncaughtException' || event === 'unhandledRejection') {
      const route = routeOf(args[0], event);
      // Claimed even when the client is gone: it was the evaluation's error, not the host's.
      if (route) {
        if (route.active) reportTo(route, event, args[0]);
        return true;
      }
    }
    return (originalEmit as (...a: unknown[]) => boolean).call(this, event, ...args);
  } as typeof process.emit;
}

function reportTo(route: OutputRoute, event: 'uncaughtException' | 'unhandledRejection', error: unknown): void {
        try {
          const prefix = event === 'unhandledRejection' ? 'Uncaught (in promise) ' : 'Uncaught ';
          route.err(prefix + describeError(error).text.replace(/^Uncaught /, ''));
          const ctx = route as Partial<EvalContext>;
          if (ctx.session) ctx.session.lastError = error;
        } catch {
          // Reporting must never fail the host.
        }
}
