/**
 * The `data` of the prepl's JSON messages: a value as JSON text, when JSON
 * can carry it. The rule is JSON.stringify's (toJSON is honoured, so a Date
 * is its ISO string; nested undefined, functions and symbols are dropped from
 * objects and become null in arrays; NaN and ±Infinity become null), plus:
 *
 * - a Map becomes an object when all its keys are strings, else an array of
 *   `[key, value]` pairs; a Set becomes an array;
 * - an Error becomes its Throwable->map (prepl/throwable.ts), as in EDN.
 *
 * There is no data (undefined) for a top-level undefined, function or
 * symbol, for any BigInt, for a cycle, or when a getter, toJSON or Proxy
 * trap throws. Pure and synchronous; never throws.
 */
import { types } from 'node:util';
import { jsonText } from './json-text';

/** Turns a thrown-or-returned Error into plain data (given by the caller to keep this module free of printing code). */
export type ErrorToData = (err: object) => unknown;

/** JSON text for `value`, or undefined when there is none (see the module header). */
export function jsonData(value: unknown, errorToData: ErrorToData): string | undefined {
  try {
    return jsonText(value, { convert: (v) => convert(v, errorToData) });
  } catch {
    return undefined;
  }
}

function convert(v: object, errorToData: ErrorToData): unknown {
  if (types.isMap(v)) {
    const entries = [...(v as Map<unknown, unknown>)];
    return entries.every(([k]) => typeof k === 'string') ? Object.fromEntries(entries) : entries;
  }
  if (types.isSet(v)) return [...(v as Set<unknown>)];
  if (types.isNativeError(v) || v instanceof Error) return errorToData(v);
  return v;
}
