/**
 * The text and classes nREPL reports for an eval error: `ex` and `root-ex`
 * (class names, following `cause`), the `err` text (stack, then one
 * "Caused by:" per cause), and the causes as data for the prepl. Never
 * throws, whatever was thrown (a Proxy, an object whose getters throw).
 */
import { inspect, types } from 'node:util';
import { stripInternalFrames } from './internal-frames';

/** Most causes `describeError` follows before it stops. */
export const MAX_CAUSES = 20;

/** One link of a `.cause` chain. */
export interface CauseInfo {
  /** Class name, as for `ex` ("Thrown" for a non-Error). */
  ex: string;
  /** The message, or the inspected value for a non-Error. */
  message: string;
}

/** What the eval-error sequence sends for one thrown value. */
export interface ErrorDescription {
  /** Class name of the thrown value (`TypeError`), `Thrown` for a non-Error. */
  ex: string;
  /** Class name of the innermost cause reached, `ex` when there is none. */
  rootEx: string;
  /** The `err` text: `Uncaught <stack>`, one `Caused by:` per cause, ending in "\n". */
  text: string;
  /** The causes in order, outermost first, not including the error itself. */
  causes: CauseInfo[];
}

/**
 * Describes a thrown value for `ex`, `root-ex` and `err`; never throws, even
 * for Proxies, throwing getters or a throwing Error.prepareStackTrace.
 *
 * An Error is anything util.types.isNativeError or instanceof Error accepts.
 * Its class is `constructor.name`, else `name`, else "Error". The chain
 * follows `.cause` (a null or undefined cause ends it) from Errors only, up
 * to MAX_CAUSES, stopping at a cause seen before; both stops are noted in
 * `text`. A non-Error cause is shown with util.inspect and ends the chain.
 * The `.errors` of an AggregateError are listed in `text` after its stack,
 * but are not causes: they never change `rootEx`.
 */
export function describeError(err: unknown): ErrorDescription {
  try {
    if (!isError(err)) {
      return { ex: 'Thrown', rootEx: 'Thrown', text: `Uncaught ${safeInspect(err)}\n`, causes: [] };
    }
    const ex = className(err);
    let text = `Uncaught ${errorBlock(err)}`;
    const causes: CauseInfo[] = [];
    const seen = new Set<unknown>([err]);
    let current: unknown = err;
    let rootEx = ex;
    while (isError(current)) {
      const cause = safeGet(current, 'cause');
      if (cause === undefined || cause === null) break;
      if (seen.has(cause)) {
        text += '\nCaused by: [circular: a cause shown above]';
        break;
      }
      if (causes.length === MAX_CAUSES) {
        text += `\nCaused by: [further causes not shown, limit ${MAX_CAUSES}]`;
        break;
      }
      seen.add(cause);
      const info = isError(cause)
        ? { ex: className(cause), message: safeString(safeGet(cause, 'message')) }
        : { ex: 'Thrown', message: safeInspect(cause) };
      causes.push(info);
      rootEx = info.ex;
      text += `\nCaused by: ${isError(cause) ? errorBlock(cause) : info.message}`;
      current = cause;
    }
    return { ex, rootEx, text: text.endsWith('\n') ? text : `${text}\n`, causes };
  } catch {
    return { ex: 'Thrown', rootEx: 'Thrown', text: 'Uncaught [a value that could not be described]\n', causes: [] };
  }
}

/** The stack (or `Class: message`), then an AggregateError's errors. */
function errorBlock(err: object): string {
  let block = stackOf(err);
  const errors = safeGet(err, 'errors');
  if (Array.isArray(errors)) {
    const shown = Math.min(errors.length, MAX_CAUSES);
    for (let i = 0; i < shown; i++) {
      const e = safeGet(errors, String(i));
      block += `\nAggregated error ${i + 1} of ${errors.length}: ${isError(e) ? stackOf(e) : safeInspect(e)}`;
    }
    if (errors.length > shown) block += `\n[${errors.length - shown} more aggregated errors not shown]`;
  }
  return block;
}

function stackOf(err: object): string {
  const stack = safeGet(err, 'stack');
  if (typeof stack === 'string' && stack !== '') return stripInternalFrames(stack);
  const message = safeString(safeGet(err, 'message'));
  return message === '' ? className(err) : `${className(err)}: ${message}`;
}

function isError(v: unknown): v is object {
  if (typeof v !== 'object' || v === null) return false;
  try {
    return types.isNativeError(v) || v instanceof Error;
  } catch {
    return false;
  }
}

function className(err: object): string {
  const ctor = safeGet(err, 'constructor');
  const fromCtor = typeof ctor === 'function' ? safeGet(ctor, 'name') : undefined;
  if (typeof fromCtor === 'string' && fromCtor !== '') return fromCtor;
  const name = safeGet(err, 'name');
  return typeof name === 'string' && name !== '' ? name : 'Error';
}

/** A thrown value as one line, for `error` messages: `TypeError: boom`. */
export function summarize(err: unknown): string {
  const line = isError(err)
    ? `${className(err)}: ${safeString(safeGet(err, 'message'))}`
    : safeInspect(err);
  return line.replace(/\s*\n\s*/g, ' ').trim();
}

function safeGet(obj: object, key: string): unknown {
  try {
    return (obj as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

function safeString(v: unknown): string {
  if (v === undefined) return '';
  try {
    return String(v);
  } catch {
    return safeInspect(v);
  }
}

function safeInspect(v: unknown): string {
  try {
    return inspect(v, { colors: false });
  } catch {
    try {
      return inspect(v, { colors: false, customInspect: false });
    } catch {
      return `[${typeof v} that could not be inspected]`;
    }
  }
}
