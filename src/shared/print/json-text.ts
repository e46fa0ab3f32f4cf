/**
 * JSON text for a value, or undefined when JSON cannot carry it (a BigInt
 * anywhere, or a cycle), optionally converting objects on the way (the
 * prepl's JSON mode turns Maps, Sets and Errors into data). Shared by the
 * `json` printer (print.ts) and the prepl (prepl/json-data.ts).
 *
 * Cycles are told from shared references by tracking the objects from the
 * root to the one being written: `this` in the replacer is the holder of the
 * value, so everything after the holder is finished.
 */

/** Thrown inside the replacer when only another printer can show the value. */
const NOT_JSON = Symbol('not JSON');

/** Stringifies `value` (with `convert` applied to every object), or undefined for BigInt and cycles. */
export function jsonText(value: unknown, options: { indent?: number; convert?: (v: object) => unknown } = {}): string | undefined {
  const convert = options.convert ?? ((v: object) => v);
  const path: unknown[] = [];
  function replacer(this: unknown, _key: string, v: unknown): unknown {
    if (typeof v === 'bigint') throw NOT_JSON;
    if (typeof v !== 'object' || v === null) return v;
    let top = path.length;
    while (top > 0 && path[top - 1] !== this) top--;
    path.length = top;
    if (path.includes(v)) throw NOT_JSON;
    const converted = convert(v);
    // The original first: a Map reached again from inside its own entries is a cycle too.
    if (converted !== v) path.push(v);
    path.push(converted);
    return converted;
  }
  try {
    return JSON.stringify(value, replacer, options.indent);
  } catch (err) {
    if (err === NOT_JSON) return undefined;
    throw err;
  }
}
