/**
 * Printing a value for nREPL replies and the prepl: turns an eval result
 * into the text of `value` with the printer the request's settings name
 * (options.ts reads them, and cuts the text), and turns a thrown value into
 * the `ex`/`root-ex`/`err` of the eval-error sequence (error-text.ts).
 *
 * Pure and synchronous, meant for the main thread right after an eval: it
 * never sends, never throws, and never decides statuses; its callers turn
 * `problems`/`error` into `nrepl.middleware.print/error` replies.
 */
import { inspect } from 'node:util';
import { errorAsData, printEdn } from './edn-print';
import { jsonData } from './json-data';
import { jsonText } from './json-text';
import { summarize } from './error-text';
import { stripInternalFrames } from './internal-frames';
import type { InspectLikeOptions, PrintSettings } from './options';

export * from './options';
export { describeError, MAX_CAUSES, type CauseInfo, type ErrorDescription } from './error-text';

/** Outcome of `printValue`. `error` is set only when the chosen printer failed. */
export interface PrintResult {
  text: string;
  /** One line for `nrepl.middleware.print/error`; `text` then holds a fallback. */
  error?: string;
}

const DEFAULT_SETTINGS: PrintSettings = Object.freeze({ printer: 'inspect', options: Object.freeze({ colors: false }) });

/**
 * Prints one value; never throws.
 *
 * - `inspect`: util.inspect with `options` over the process's
 *   util.inspect.defaultOptions, colors off unless `options.colors` is true;
 *   a string value is printed whole unless `maxStringLength` is given.
 * - `json`: JSON.stringify with a 2-space indent. When JSON has no text for
 *   the value — a top-level undefined, function or symbol, a BigInt anywhere
 *   (after toJSON), or a cycle — it prints with `inspect` and `options`
 *   instead, and that is not an error. Nested undefined, functions and
 *   symbols follow JSON (left out of objects, null in arrays).
 * - `string`: String(value).
 *
 * When the printer throws (a throwing getter, toJSON, toString,
 * [util.inspect.custom] or Proxy trap), `error` says so in one line and
 * `text` is util.inspect without custom inspectors, or, if even that
 * throws, `[unprintable: <error>]`.
 */
export function printValue(value: unknown, settings: PrintSettings = DEFAULT_SETTINGS): PrintResult {
  const { printer, options } = settings;
  try {
    if (printer === 'string') return { text: String(value) };
    if (printer === 'edn') return { text: printEdn(value, options) };
    if (printer === 'prepl-json') return { text: printPreplJson(value, options) };
    if (printer === 'json') {
      const json = toJson(value);
      if (json !== undefined) return { text: json };
    }
    if (typeof value === 'string' && options.maxStringLength === undefined) {
      // A string result is the data itself: print it whole (Node's default cuts at 10,000
      // characters); clients limit size with nrepl.middleware.print/quota.
      return { text: inspect(value, { ...options, colors: options.colors ?? false, maxStringLength: Infinity }) };
    }
    // Errors in the value show the user's frames, not how the agent ran the code.
    return { text: stripInternalFrames(inspect(value, options.colors === undefined ? { ...options, colors: false } : options)) };
  } catch (err) {
    const reason = summarize(err);
    let fallback: string;
    try {
      fallback = inspect(value, { ...options, colors: options.colors ?? false, customInspect: false, getters: false });
    } catch {
      fallback = `[unprintable: ${reason}]`;
    }
    return { text: fallback, error: `Couldn't print the value with printer ${printer}: ${reason}` };
  }
}

/** JSON text, or undefined when JSON cannot represent the value (see printValue). */
function toJson(value: unknown): string | undefined {
  return jsonText(value, { indent: 2 });
}

/**
 * The printer of the prepl's JSON mode: JSON text `{"val": "<util.inspect
 * text>", "data": <the value as JSON>}`, with `data` left out when JSON
 * cannot carry the value (prepl/json-data.ts). Never throws.
 */
export function printPreplJson(value: unknown, options: InspectLikeOptions = {}): string {
  const text = printValue(value, { printer: 'inspect', options: { ...options, colors: false } }).text;
  let data: string | undefined;
  try {
    data = jsonData(value, errorAsData);
  } catch {
    data = undefined;
  }
  return `{"val":${JSON.stringify(text)}${data === undefined ? '' : `,"data":${data}`}}`;
}
