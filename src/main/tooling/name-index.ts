/**
 * A cached, sorted index of the global object's own property names, so that
 * completing `pro` in an app with 10,000 globals does not list them all on
 * every keystroke (listing the keys of such a global object alone takes
 * several milliseconds of the host's main thread; bench/complete.mjs).
 *
 * The index is rebuilt lazily, by the next completion, after every eval
 * (host-calls.ts calls {@link invalidateNameIndex}: an eval may create
 * globals any way it likes), when the root is another object, and when it is
 * older than {@link INDEX_TTL_MS}: what the user's evals create shows at
 * once; a global the app adds by itself between evals shows within the TTL.
 * So the first completion after an eval pays for one listing, and the
 * keystrokes after it do not.
 * Names are checked to still be own properties when they are returned, so a
 * deleted global is never offered. Objects other than the root are small
 * enough to list each time (complete.ts does).
 *
 * Main thread only; it holds names (strings), never values. Never throws.
 */

/** How long an index of the root's names is reused. */
export const INDEX_TTL_MS = 30_000;
/** Roots with fewer names are listed each time: indexing them gains nothing. */
const MIN_INDEXED = 2_000;

interface Index {
  root: object;
  builtAt: number;
  /** Lower-cased names, sorted; `names[i]` is the name of `lower[i]`. */
  lower: string[];
  names: string[];
}

let index: Index | undefined;

/** Forgets the index: the next completion lists the root again. */
export function invalidateNameIndex(): void {
  index = undefined;
}

/**
 * The root's own names whose lower case starts with `lowerTyped`, or
 * undefined when the root is small (the caller lists it itself).
 * `all` lists every name (for an empty prefix).
 */
export function ownNamesMatching(root: object, lowerTyped: string, list: (obj: object) => string[]): string[] | undefined {
  try {
    const now = performance.now();
    if (!index || index.root !== root || now - index.builtAt > INDEX_TTL_MS) {
      const names = list(root);
      if (names.length < MIN_INDEXED) {
        index = undefined;
        return undefined;
      }
      const pairs = names.map((name) => [name.toLowerCase(), name] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      index = { root, builtAt: now, lower: pairs.map((p) => p[0]), names: pairs.map((p) => p[1]) };
    }
    const { lower, names } = index;
    let lo = 0;
    let hi = lower.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((lower[mid] as string) < lowerTyped) lo = mid + 1;
      else hi = mid;
    }
    const out: string[] = [];
    for (let i = lo; i < lower.length && (lower[i] as string).startsWith(lowerTyped); i++) {
      const name = names[i] as string;
      if (Object.prototype.hasOwnProperty.call(root, name)) out.push(name);
    }
    return out;
  } catch {
    index = undefined;
    return undefined;
  }
}
