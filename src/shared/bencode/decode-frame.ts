/**
 * The `bencode` package, and the two ways frames become values:
 *
 * - `decodeFrame` turns one complete frame (FrameReader has already found
 *   its boundaries and checked its syntax) into a message, with the
 *   package's `decode` in bytes mode. Byte strings then become UTF-8
 *   strings, except the top-level values named in the message's own
 *   `-unencoded` list, which stay Buffers. Integers are numbers.
 * - `peekHeader` reads what it can of a frame that will never complete, so
 *   an error reply can still carry the request's id. The package cannot
 *   read a broken prefix, so this is a small skipping reader of its own.
 *
 * The package is ESM-only and this project compiles to CommonJS, so it is
 * loaded with a dynamic import, once: `loadCodec()` must have resolved
 * before anything here (or `encode`, or `FrameReader.push`) runs.
 */
import { ErrorCodes, NreplTsError } from '../../errors';
import type { BDict, BValue } from './values';

/** The part of the `bencode` package (4.x, which ships no types) that nrepl-ts uses. */
export interface BencodePackage {
  /** Encodes plain objects (keys sorted, null values skipped), arrays, Uint8Arrays, strings and integers. */
  encode(value: unknown): Uint8Array;
  decode: {
    /** Without an encoding, byte strings come back as Uint8Array copies; dict keys as strings. */
    (data: Uint8Array): unknown;
    /** The package keeps its copy of the last input here until the next call. */
    data: unknown;
  };
}

let bencodePkg: BencodePackage | undefined;
let loading: Promise<void> | undefined;

/**
 * Loads the `bencode` package. Idempotent: every call returns the same
 * promise, and the import runs once (again only if it failed).
 */
export function loadCodec(): Promise<void> {
  loading ??= (async () => {
    try {
      // @ts-expect-error TS7016: bencode 4 ships no declarations; BencodePackage states what is used.
      const mod: { default: BencodePackage } = await import('bencode');
      bencodePkg = mod.default;
    } catch (err) {
      loading = undefined;
      throw new NreplTsError(ErrorCodes.RUNTIME, `could not load the bencode package: ${err instanceof Error ? err.message : String(err)}`, undefined, { cause: err });
    }
  })();
  return loading;
}

/** The loaded package. Throws `NREPL_INTERNAL` (a caller bug) when `loadCodec()` has not resolved yet. */
export function bencodePackage(): BencodePackage {
  if (bencodePkg === undefined) {
    throw new NreplTsError(ErrorCodes.INTERNAL, 'bencode codec used before it was loaded: call loadCodec() first and await it');
  }
  return bencodePkg;
}

const D = 0x64; // d
const L = 0x6c; // l
const I = 0x69; // i
const E = 0x65; // e
const COLON = 0x3a;
const MINUS = 0x2d;

/** Keeps a leading U+FEFF, as Buffer#toString does: it is part of the string. */
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
const never = (): boolean => false;
const always = (): boolean => true;

/** Decodes a complete, already-validated frame whose first byte is `d`. Throws when the package cannot decode it. */
export function decodeFrame(frame: Buffer): BDict {
  const { decode } = bencodePackage();
  let decoded: unknown;
  try {
    decoded = decode(frame);
  } finally {
    decode.data = null; // do not pin a copy of the last (possibly huge) frame until the next one
  }
  if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded) || ArrayBuffer.isView(decoded)) {
    throw new Error('the message is not a dictionary');
  }
  const top = decoded as Record<string, unknown>;
  const listed = Object.hasOwn(top, '-unencoded') ? toValue(top['-unencoded'], false) : undefined;
  if (!Array.isArray(listed) || listed.length === 0) return toDict(top, never);
  const raw = new Set(listed.filter((k): k is string => typeof k === 'string'));
  return toDict(top, (k) => raw.has(k));
}

/**
 * Converts a decoded dict; `raw(key)` says whether that key's value keeps
 * its byte strings as Buffers. The package assigns keys with `dict[key] = v`,
 * so a `__proto__` key with a list, dict or byte-string value became the
 * dict's prototype: it is put back as an own key here. Two losses remain,
 * both only in frames whose keys are not sorted as encoders write them: an
 * integer `__proto__` value (the assignment did nothing), and, after a
 * byte-string `__proto__`, numeric keys past its length (the typed-array
 * prototype swallows them). Keys that are not valid UTF-8 arrive as hex.
 */
function toDict(dict: object, raw: (key: string) => boolean): BDict {
  const out: BDict = {};
  const entries = dict as Record<string, unknown>;
  for (const k of Object.keys(dict)) put(out, k, toValue(entries[k], raw(k)));
  const proto: unknown = Object.getPrototypeOf(dict);
  if (proto !== Object.prototype && proto !== null) put(out, '__proto__', toValue(proto, raw('__proto__')));
  return out;
}

/** Byte strings become strings, or, when `raw`, Buffers over the package's copy of just that string (so they do not pin the frame). */
function toValue(v: unknown, raw: boolean): BValue {
  if (typeof v === 'number') return v;
  // isView, not instanceof: a dict whose prototype is a byte string is not one.
  if (ArrayBuffer.isView(v)) {
    const bytes = v as Uint8Array;
    return raw ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) : utf8.decode(bytes);
  }
  if (Array.isArray(v)) {
    const list: BValue[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) list[i] = toValue(v[i], raw);
    return list;
  }
  if (typeof v === 'object' && v !== null) return toDict(v, raw ? always : never);
  throw new Error(`unexpected ${typeof v} from the bencode package`);
}

/** Sets a key without letting `__proto__` replace the prototype. */
function put(dict: BDict, k: string, v: BValue): void {
  if (k === '__proto__') Object.defineProperty(dict, k, { value: v, enumerable: true, writable: true, configurable: true });
  else dict[k] = v;
}

/** What a frame that failed part-way says about itself: the top-level `id`, `session` and `op` seen so far. */
export interface FrameHeader {
  id?: string;
  session?: string;
  op?: string;
}

/** Best effort: reads top-level string/integer `id`, `session`, `op` from the start of a frame, up to where it breaks. */
export function peekHeader(prefix: Buffer): FrameHeader {
  const found: FrameHeader = {};
  if (prefix[0] !== D) return found;
  let pos = 1;
  while (pos < prefix.length && prefix[pos] !== E) {
    const keyEnd = stringEnd(prefix, pos);
    if (keyEnd < 0) break;
    const end = valueEnd(prefix, keyEnd);
    if (end < 0) break;
    const keyStart = prefix.indexOf(COLON, pos) + 1;
    const k = keyEnd - keyStart <= 7 ? prefix.toString('utf8', keyStart, keyEnd) : '';
    if (k === 'id' || k === 'session' || k === 'op') {
      const b = prefix[keyEnd];
      if (b === I) found[k] = String(Number(prefix.toString('latin1', keyEnd + 1, end - 1)));
      else if (b !== L && b !== D) found[k] = prefix.toString('utf8', prefix.indexOf(COLON, keyEnd) + 1, end);
    }
    pos = end;
  }
  return found;
}

/** Where the value starting at `pos` ends (nested lists and dicts skipped), or -1 if the bytes break or run out first. */
function valueEnd(buf: Buffer, pos: number): number {
  let depth = 0;
  for (;;) {
    const b = buf[pos];
    if (b === D || b === L) {
      depth++;
      pos++;
    } else if (b === E && depth > 0) {
      depth--;
      pos++;
    } else {
      pos = b === I ? integerEnd(buf, pos) : stringEnd(buf, pos);
      if (pos < 0) return -1;
    }
    if (depth === 0) return pos;
  }
}

/** End of the byte string `N:...` at `pos`, or -1. */
function stringEnd(buf: Buffer, pos: number): number {
  let n = 0;
  let p = pos;
  while (buf[p] >= 0x30 && buf[p] <= 0x39) n = n * 10 + (buf[p++] - 0x30);
  if (p === pos || buf[p] !== COLON || p + 1 + n > buf.length) return -1;
  return p + 1 + n;
}

/** End of the integer `i-?digits e` at `pos` (which holds the `i`), or -1. */
function integerEnd(buf: Buffer, pos: number): number {
  let p = pos + 1;
  if (buf[p] === MINUS) p++;
  const first = p;
  while (buf[p] >= 0x30 && buf[p] <= 0x39) p++;
  return p === first || buf[p] !== E ? -1 : p + 1;
}
