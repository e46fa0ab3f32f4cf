/**
 * Turns one complete bencode frame into a message. FrameReader finds the
 * frame boundaries and checks the syntax first; this module only builds
 * values, so it stays a plain recursive descent over one Buffer.
 *
 * Byte strings become UTF-8 strings, except the top-level values named in
 * the message's own `-unencoded` list, which stay Buffers (copies, so the
 * message does not pin the socket's chunk). Integers become numbers.
 *
 * It also reads what it can of a frame that will never complete
 * (`peekHeader`), so an error reply can still carry the request's id.
 */
import type { BDict, BValue } from './bencode';

const D = 0x64; // d
const L = 0x6c; // l
const I = 0x69; // i
const E = 0x65; // e
const COLON = 0x3a;
const MINUS = 0x2d;
const EMPTY = Buffer.alloc(0);

/** Raised when the bytes run out or break the grammar; never leaves this module. */
class Stop extends Error {}

// The decoder is synchronous and not re-entrant, so its cursor lives here
// rather than in an object passed through every call.
let buf: Buffer = EMPTY;
let pos = 0;
let raw = false;

/** Decodes a complete, already-validated frame whose first byte is `d`. Throws on bytes that do not decode. */
export function decodeFrame(frame: Buffer): BDict {
  buf = frame;
  pos = 0;
  raw = false;
  try {
    const msg = value() as BDict;
    if (pos !== frame.length) throw new Stop('trailing bytes after the message');
    const unencoded = msg['-unencoded'];
    if (Array.isArray(unencoded) && unencoded.length > 0) keepRaw(msg, unencoded);
    return msg;
  } finally {
    buf = EMPTY;
  }
}

/** Re-reads the top-level values whose keys are listed in `-unencoded`, as Buffers. */
function keepRaw(msg: BDict, keys: BValue[]): void {
  const wanted = new Set(keys.filter((k): k is string => typeof k === 'string'));
  pos = 1;
  while (buf[pos] !== E) {
    raw = false;
    const k = key();
    raw = wanted.has(k);
    const v = value();
    if (raw) put(msg, k, v);
  }
  raw = false;
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
  buf = prefix;
  pos = 1;
  raw = false;
  try {
    while (pos < buf.length && buf[pos] !== E) {
      const k = key();
      const v = value();
      if ((k === 'id' || k === 'session' || k === 'op') && (typeof v === 'string' || typeof v === 'number')) {
        found[k] = String(v);
      }
    }
  } catch (err) {
    if (!(err instanceof Stop)) throw err;
  } finally {
    buf = EMPTY;
  }
  return found;
}

function value(): BValue {
  const b = buf[pos];
  if (b === D) {
    pos++;
    const dict: BDict = {};
    while (buf[pos] !== E) {
      if (pos >= buf.length) throw new Stop('unterminated dictionary');
      put(dict, key(), value());
    }
    pos++;
    return dict;
  }
  if (b === L) {
    pos++;
    const list: BValue[] = [];
    while (buf[pos] !== E) {
      if (pos >= buf.length) throw new Stop('unterminated list');
      list.push(value());
    }
    pos++;
    return list;
  }
  if (b === I) return integer();
  return bytes();
}

function key(): string {
  const was = raw;
  raw = false;
  const k = bytes() as string;
  raw = was;
  return k;
}

function bytes(): string | Buffer {
  let n = 0;
  let p = pos;
  let b = buf[p];
  if (!(b >= 0x30 && b <= 0x39)) throw new Stop('expected a byte string');
  while (b >= 0x30 && b <= 0x39) {
    n = n * 10 + (b - 0x30);
    b = buf[++p];
  }
  if (b !== COLON) throw new Stop("expected ':'");
  const start = p + 1;
  const end = start + n;
  if (end > buf.length) throw new Stop('string runs past the end');
  pos = end;
  return raw ? Buffer.from(buf.subarray(start, end)) : buf.toString('utf8', start, end);
}

function integer(): number {
  let p = pos + 1;
  const negative = buf[p] === MINUS;
  if (negative) p++;
  let n = 0;
  let b = buf[p];
  const first = p;
  while (b >= 0x30 && b <= 0x39) {
    n = n * 10 + (b - 0x30);
    b = buf[++p];
  }
  if (p === first || b !== E) throw new Stop('bad integer');
  pos = p + 1;
  return negative ? -n : n;
}

/** Sets a key without letting `__proto__` replace the prototype. */
function put(dict: BDict, k: string, v: BValue): void {
  if (k === '__proto__') Object.defineProperty(dict, k, { value: v, enumerable: true, writable: true, configurable: true });
  else dict[k] = v;
}
