/**
 * The bencode codec for nREPL messages: `encode` turns one message into one
 * complete frame, and `FrameReader` (frame-reader.ts) turns a byte stream
 * back into messages.
 *
 * Bytes only: this module never sees a socket, never writes, and never
 * decides what to answer. The bencode grammar itself is the `bencode`
 * package's (decode-frame.ts loads it); what is ours is the incremental
 * framing, the limits, and the mapping between nREPL values and the
 * package's. The package is ESM-only, so it is loaded asynchronously:
 * `await loadCodec()` once before using `encode` or a `FrameReader`.
 */
import { ErrorCodes, NreplTsError } from '../../errors';
import { bencodePackage } from './decode-frame';

export { loadCodec } from './decode-frame';
export { FrameReader, DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_MAX_DEPTH } from './frame-reader';
export type { FrameReaderOptions, FrameError, FrameErrorCode } from './frame-reader';

export type { BDict, BValue, DecodedMessage } from './values';

/**
 * What `encode` accepts. `null`/`undefined` dict values are dropped (and
 * encoded as the empty list `le` inside lists, as the reference does for nil),
 * booleans become `i1e`/`i0e`, Sets become lists and Maps become dicts.
 * Numbers and bigints must be integers within +/-(2^53 - 1).
 */
export type Encodable =
  | string
  | number
  | bigint
  | boolean
  | null
  | undefined
  | Uint8Array
  | readonly Encodable[]
  | ReadonlySet<Encodable>
  | ReadonlyMap<string, Encodable>
  | { readonly [key: string]: Encodable };

/**
 * Encodes one message as a complete bencode frame, ready for a single write.
 *
 * Values are first mapped to what the `bencode` package writes faithfully
 * (see `Encodable`), then the package encodes them: dict keys sorted (as
 * the reference server does), strings UTF-8 with byte-count lengths, raw
 * byte values (Buffer/Uint8Array) copied as they are.
 *
 * Throws `NreplTsError` (code `NREPL_INTERNAL`: a caller bug, never peer
 * input) when `loadCodec()` has not resolved yet, and for values bencode
 * cannot carry: non-integer numbers, bigints beyond +/-(2^53 - 1) (the
 * package writes integers through doubles), functions, symbols, and other
 * objects such as Dates; the message names the key path.
 *
 * `stamp`: fields that override the message's where defined (id, session,
 * the status of a final reply), so callers need not copy the message.
 */
export function encode(message: { readonly [key: string]: Encodable }, stamp?: { readonly [key: string]: Encodable }): Buffer {
  // One rule for callers whichever path writes the frame: the codec is loaded first (a caller bug otherwise).
  bencodePackage();
  const fast = directFrame(message, stamp);
  if (fast !== undefined) return fast;
  if (stamp) {
    const merged: { [key: string]: Encodable } = { ...message };
    for (const key of Object.keys(stamp)) if (stamp[key] !== undefined) merged[key] = stamp[key];
    message = merged;
  }
  return encodeByPackage(message);
}

/**
 * The start of a dict frame whose last field, `key`, is a byte string of
 * `byteLength` bytes written after it: the frame is this head, the bytes,
 * then `e` (FRAME_END). For replies too large to exist whole in the worker
 * (a value printed in pieces on the main thread). Throws if another field
 * would sort after `key`: bencode orders keys, so only the last can follow.
 */
export function encodeHead(message: { readonly [key: string]: Encodable }, key: string, byteLength: number, stamp?: { readonly [key: string]: Encodable }): Buffer {
  const fields: { [k: string]: Encodable } = { ...message };
  for (const k of Object.keys(stamp ?? {})) if (stamp![k] !== undefined) fields[k] = stamp![k];
  for (const k of Object.keys(fields)) if (k > key && fields[k] !== undefined) throw new Error(`bencode: field ${k} would follow ${key}`);
  fields[key] = '';
  const frame = encode(fields);
  // The frame ends `<key>0:e`: keep all but the empty string and the dict's end.
  return Buffer.concat([frame.subarray(0, frame.length - 3), Buffer.from(`${byteLength}:`)]);
}

/** The byte that ends a frame begun with `encodeHead`. */
export const FRAME_END = Buffer.from('e');

/** `encode` through the `bencode` package alone: the reference the direct path is tested against. */
export function encodeByPackage(message: { readonly [key: string]: Encodable }): Buffer {
  const pkg = bencodePackage();
  let tree: BencodeDict;
  try {
    tree = toDict(message);
  } catch (err) {
    if (!(err instanceof Unencodable)) throw err;
    const where = err.path.length === 0 ? 'the message' : `"${err.path.join('').replace(/^\./, '')}"`;
    throw new NreplTsError(ErrorCodes.INTERNAL, `bencode: cannot encode ${err.shown} at ${where}: ${err.why}`);
  }
  const frame = pkg.encode(tree);
  return Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
}

/**
 * The reply shapes the server sends all the time — string, integer and
 * boolean fields and lists of strings ({value, ns}, {status}, {out}) — written
 * straight into one string and one Buffer, byte for byte what the package
 * writes (test/property/bencode-fast.test.ts holds it to that). Anything else
 * (nested dicts, Buffers, non-integer numbers...) returns undefined and takes
 * the package's path, which also reports what cannot be encoded.
 *
 * `stamp` fields (id, session, status of a final reply) override the
 * message's when defined, without copying the message.
 */
function directFrame(message: { readonly [key: string]: Encodable }, stamp: { readonly [key: string]: Encodable } | undefined): Buffer | undefined {
  const keys = Object.keys(message);
  if (stamp) for (const key of Object.keys(stamp)) if (stamp[key] !== undefined && !Object.hasOwn(message, key)) keys.push(key);
  // The package's order: Object.keys(...).sort(), UTF-16 code units.
  keys.sort();
  let out = 'd';
  for (const key of keys) {
    const v = stamp !== undefined && Object.hasOwn(stamp, key) && stamp[key] !== undefined ? stamp[key] : message[key];
    if (v === null || v === undefined) continue;
    out += Buffer.byteLength(key) + ':' + key;
    switch (typeof v) {
      case 'string':
        out += Buffer.byteLength(v) + ':' + v;
        break;
      case 'number':
        if (!Number.isSafeInteger(v)) return undefined;
        // String(-0) is "0", as the package's BigInt(-0) is.
        out += 'i' + String(v) + 'e';
        break;
      case 'boolean':
        out += v ? 'i1e' : 'i0e';
        break;
      case 'object':
        if (!Array.isArray(v)) return undefined;
        out += 'l';
        for (const item of v as readonly Encodable[]) {
          if (typeof item !== 'string') return undefined;
          out += Buffer.byteLength(item) + ':' + item;
        }
        out += 'e';
        break;
      default:
        return undefined;
    }
  }
  return Buffer.from(out + 'e', 'utf8');
}

/** What the package encodes exactly as nREPL expects: no nulls, booleans, bigints, Sets or Maps left. */
type BencodeValue = string | number | Uint8Array | BencodeValue[] | BencodeDict;
interface BencodeDict {
  [key: string]: BencodeValue;
}

/** Thrown at the bad value; containers add their key or index while it unwinds, so the happy path builds no paths. */
class Unencodable {
  readonly path: string[] = [];
  constructor(
    readonly shown: string,
    readonly why: string,
  ) {}
}

/** The package writes integers through doubles, exact only up to here. */
const MAX_BIGINT = BigInt(Number.MAX_SAFE_INTEGER);

function toValue(v: Encodable): BencodeValue {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      if (!Number.isSafeInteger(v)) throw new Unencodable(String(v), 'only integers are allowed');
      return v;
    case 'bigint':
      if (v > MAX_BIGINT || v < -MAX_BIGINT) {
        throw new Unencodable(`${v}n`, 'only integers within +/-(2^53 - 1) are allowed');
      }
      return Number(v);
    case 'boolean':
      return v ? 1 : 0;
    case 'undefined':
      return [];
    case 'object':
      if (v === null) return [];
      if (Array.isArray(v)) return toList(v);
      if (v instanceof Uint8Array) return v;
      if (v instanceof Set) return toList([...v]);
      if (v instanceof Map) return toDict(Object.fromEntries(v));
      if (isPlainObject(v)) return toDict(v as { readonly [key: string]: Encodable });
      throw new Unencodable(`a ${describe(v)}`, 'only plain objects, arrays, Maps, Sets and Buffers are allowed');
    default:
      throw new Unencodable(`a ${typeof v}`, 'it has no bencode form');
  }
}

/** nil items become the empty list `le`, as the reference does (the package would skip them). */
function toList(list: readonly Encodable[]): BencodeValue[] {
  const out: BencodeValue[] = new Array(list.length);
  let i = 0;
  try {
    for (; i < list.length; i++) out[i] = toValue(list[i]);
  } catch (err) {
    if (err instanceof Unencodable) err.path.unshift(`[${i}]`);
    throw err;
  }
  return out;
}

/** null/undefined values are dropped. A null-prototype result keeps a `__proto__` key an ordinary key. */
function toDict(dict: { readonly [key: string]: Encodable }): BencodeDict {
  const out: BencodeDict = Object.create(null);
  for (const key of Object.keys(dict)) {
    const v = dict[key];
    if (v === null || v === undefined) continue;
    try {
      out[key] = toValue(v);
    } catch (err) {
      if (err instanceof Unencodable) err.path.unshift(`.${key}`);
      throw err;
    }
  }
  return out;
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function describe(v: object): string {
  try {
    return (v.constructor as { name?: string } | undefined)?.name || 'object';
  } catch {
    return 'object';
  }
}
