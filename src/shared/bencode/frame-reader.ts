/**
 * Incremental bencode reader: feed it the raw chunks of a byte stream, get
 * back every nREPL message completed so far.
 *
 * A byte scanner walks each chunk once, keeping its state (nesting, inside a
 * string and how many bytes remain) between calls, so a 10 MB frame arriving
 * in 64 KB chunks costs one pass plus one join; a frame that fits in a chunk
 * is handed on as a view of it. Complete frames go to decode-frame.ts, which
 * decodes them with the `bencode` package (that makes its own copy):
 * `await loadCodec()` before the first push.
 *
 * Resynchronisation policy: none. Bencode has no delimiter to skip to, so
 * after a frame that is malformed, too large, or not a dictionary the reader
 * enters a failed state: `push` returns the messages completed before the bad
 * frame, `error` describes it, and every later byte is ignored. The caller
 * answers with an error and closes that connection.
 *
 * It never throws for bad input (a frame the scanner accepts but the package
 * cannot decode is a fatal 'malformed' error too) and never touches a socket.
 */
import { ErrorCodes, NreplTsError } from '../../errors';
import type { DecodedMessage } from './values';
import { bencodePackage, decodeFrame, peekHeader } from './decode-frame';

/** Largest accepted message, in bytes, unless the caller chooses otherwise. */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
/** Deepest accepted nesting of lists and dicts (the message itself is level 1). */
export const DEFAULT_MAX_DEPTH = 64;

/** Options for `FrameReader`. */
export interface FrameReaderOptions {
  /** A frame longer than this is an error, detected as soon as a length or the bytes so far exceed it. Default 64 MiB; `Infinity` allowed. */
  maxMessageBytes?: number;
  /** Nesting deeper than this is an error. Default 64. */
  maxDepth?: number;
}

/** Why the stream was given up. */
export type FrameErrorCode = 'frame-too-large' | 'not-a-dict' | 'malformed';

/** The reader's report of a stream it cannot go on reading. */
export interface FrameError {
  code: FrameErrorCode;
  /** One line: what was wrong and where (byte offset inside the frame). */
  message: string;
  /** Always true: the stream cannot be resynchronised (see the module header). */
  fatal: true;
  /** Byte offset inside the bad frame where the problem was seen. */
  offset: number;
  /** Top-level `id`/`session`/`op` of the bad frame, when they came before the problem. */
  id?: string;
  session?: string;
  op?: string;
}

const D = 0x64;
const L = 0x6c;
const I = 0x69;
const E = 0x65;
const COLON = 0x3a;
const MINUS = 0x2d;

// Scanner states.
const BETWEEN = 0; // expecting the `d` of the next frame
const VALUE = 1; // expecting a value, or `e` closing the container
const INT_START = 2; // after `i`
const INT_SIGN = 3; // after `i-`
const INT_DIGITS = 4;
const LENGTH = 5; // digits of a string length
const BODY = 6; // inside a string's bytes

const DICT = 1;
const LIST = 2;
const MAX_INT_DIGITS = 20;
/** How much of a bad frame is searched for its id. */
const PEEK_LIMIT = 1024 * 1024;

/** Incremental decoder for a stream of bencoded nREPL messages. See the module header for the failure policy. */
export class FrameReader {
  readonly maxMessageBytes: number;
  readonly maxDepth: number;

  private failure: FrameError | undefined;
  private state = BETWEEN;
  private depth = 0;
  /** Digits of an integer, or the string length being read. */
  private num = 0;
  /** Bytes of the current string not seen yet. */
  private remaining = 0;
  /** Container kind per nesting level (index 1 is the message). */
  private readonly kinds: Uint8Array;
  /** Per dict level: 1 when the next item is a key. */
  private readonly keyNext: Uint8Array;
  /** Chunks (or their tails) holding the start of the unfinished frame. */
  private held: Buffer[] = [];
  /** Bytes of the unfinished frame in `held`. */
  private base = 0;

  /**
   * The reader takes ownership of pushed chunks: it may keep views of them
   * until their frame completes, so callers must not reuse a chunk's memory
   * (socket `data` chunks are never reused).
   */
  constructor(options: FrameReaderOptions = {}) {
    const { maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES, maxDepth = DEFAULT_MAX_DEPTH } = options;
    if (!(maxMessageBytes === Infinity || (Number.isSafeInteger(maxMessageBytes) && maxMessageBytes > 0))) {
      throw new NreplTsError(ErrorCodes.INTERNAL, `FrameReader: maxMessageBytes must be a positive integer or Infinity, got ${maxMessageBytes}`);
    }
    if (!(Number.isInteger(maxDepth) && maxDepth >= 1 && maxDepth <= 10_000)) {
      throw new NreplTsError(ErrorCodes.INTERNAL, `FrameReader: maxDepth must be an integer 1-10000, got ${maxDepth}`);
    }
    this.maxMessageBytes = maxMessageBytes;
    this.maxDepth = maxDepth;
    this.kinds = new Uint8Array(maxDepth + 1);
    this.keyNext = new Uint8Array(maxDepth + 1);
  }

  /** Set once the stream has failed; from then on `push` ignores its input and returns nothing. */
  get error(): FrameError | undefined {
    return this.failure;
  }

  /** Bytes of an unfinished frame held so far (0 between frames): non-zero at end of stream means a truncated message. */
  get bufferedBytes(): number {
    return this.state === BETWEEN ? 0 : this.base;
  }

  /**
   * Scans `chunk` and returns every message it completes, in order (often
   * none, sometimes many). Throws only for a caller bug: `loadCodec()` not
   * awaited yet.
   */
  push(chunk: Buffer): DecodedMessage[] {
    bencodePackage(); // checked up front, so this caller bug is not reported as a malformed frame
    const out: DecodedMessage[] = [];
    if (this.failure) return out;
    const { kinds, keyNext, maxDepth } = this;
    const max = this.maxMessageBytes;
    const n = chunk.length;
    let state = this.state;
    let depth = this.depth;
    let num = this.num;
    let i = 0;
    let start = 0; // where the current frame starts in this chunk (0 if it started earlier)
    let b = 0;
    let problem: [FrameErrorCode, string] | undefined;

    scan: while (i < n) {
      switch (state) {
        case BETWEEN:
          b = chunk[i];
          if (b !== D) {
            problem = ['not-a-dict', `nREPL message must be a dictionary (bencode 'd'), got ${show(b)}`];
            start = i++;
            break scan;
          }
          start = i++;
          this.base = 0;
          depth = 1;
          kinds[1] = DICT;
          keyNext[1] = 1;
          state = VALUE;
          continue;

        case VALUE:
          b = chunk[i++];
          if (b >= 0x30 && b <= 0x39) {
            num = b - 0x30;
            state = LENGTH;
            continue;
          }
          if (kinds[depth] === DICT && keyNext[depth] === 0) {
            if (b === E) {
              problem = ['malformed', 'dictionary key without a value'];
              break scan;
            }
          } else if (kinds[depth] === DICT && b !== E) {
            problem = ['malformed', `dictionary key must be a byte string, got ${show(b)}`];
            break scan;
          }
          if (b === E) {
            if (--depth === 0) {
              this.emit(chunk, start, i, out);
              if (this.failure) return out;
              state = BETWEEN;
              continue;
            }
            if (kinds[depth] === DICT) keyNext[depth] ^= 1;
          } else if (b === I) {
            state = INT_START;
          } else if (b === L || b === D) {
            if (depth === maxDepth) {
              problem = ['malformed', `nesting deeper than ${maxDepth} levels`];
              break scan;
            }
            depth++;
            kinds[depth] = b === D ? DICT : LIST;
            keyNext[depth] = 1;
          } else {
            problem = ['malformed', `expected a value or 'e', got ${show(b)}`];
            break scan;
          }
          continue;

        case INT_START:
        case INT_SIGN:
          b = chunk[i++];
          if (state === INT_START && b === MINUS) {
            state = INT_SIGN;
            continue;
          }
          if (!(b >= 0x30 && b <= 0x39) || (state === INT_SIGN && b === 0x30)) {
            problem = ['malformed', `expected a digit in an integer, got ${show(b)}`];
            break scan;
          }
          num = 1;
          state = INT_DIGITS;
          continue;

        case INT_DIGITS:
          b = chunk[i++];
          if (b >= 0x30 && b <= 0x39) {
            if (++num > MAX_INT_DIGITS) {
              problem = ['malformed', `integer longer than ${MAX_INT_DIGITS} digits`];
              break scan;
            }
            continue;
          }
          if (b !== E) {
            problem = ['malformed', `expected a digit or 'e' in an integer, got ${show(b)}`];
            break scan;
          }
          if (kinds[depth] === DICT) keyNext[depth] ^= 1;
          state = VALUE;
          continue;

        case LENGTH:
          b = chunk[i++];
          if (b >= 0x30 && b <= 0x39) {
            num = num * 10 + (b - 0x30);
            if (num > max || num > Number.MAX_SAFE_INTEGER) {
              problem = ['frame-too-large', `a string of ${num}+ bytes exceeds maxMessageBytes = ${max}`];
              break scan;
            }
            continue;
          }
          if (b !== COLON) {
            problem = ['malformed', `expected a digit or ':' in a string length, got ${show(b)}`];
            break scan;
          }
          if (this.base + (i - start) + num > max) {
            problem = ['frame-too-large', `a string of ${num} bytes makes the message exceed maxMessageBytes = ${max}`];
            break scan;
          }
          if (num === 0) {
            if (kinds[depth] === DICT) keyNext[depth] ^= 1;
            state = VALUE;
          } else {
            this.remaining = num;
            state = BODY;
          }
          continue;

        case BODY: {
          const take = Math.min(this.remaining, n - i);
          i += take;
          this.remaining -= take;
          if (this.remaining === 0) {
            if (kinds[depth] === DICT) keyNext[depth] ^= 1;
            state = VALUE;
          }
          continue;
        }
      }
    }

    if (problem) {
      // Every problem is found on the byte just consumed, at i - 1.
      this.held.push(chunk.subarray(start, i));
      this.fail(problem[0], problem[1], this.base + (i - 1 - start));
      return out;
    }
    this.state = state;
    this.depth = depth;
    this.num = num;
    if (state !== BETWEEN) {
      this.held.push(start === 0 ? chunk : chunk.subarray(start));
      this.base += n - start;
      if (this.base > max) {
        this.fail('frame-too-large', `message exceeds maxMessageBytes = ${max} after ${this.base} bytes`, max);
      }
    }
    return out;
  }

  /** Decodes the frame ending at `end` in `chunk` (it began at `start`, or in held chunks). */
  private emit(chunk: Buffer, start: number, end: number, out: DecodedMessage[]): void {
    let frame: Buffer;
    if (this.held.length === 0) {
      frame = chunk.subarray(start, end);
    } else {
      this.held.push(chunk.subarray(0, end));
      frame = Buffer.concat(this.held, this.base + end);
      this.held = [];
    }
    this.base = 0;
    if (frame.length > this.maxMessageBytes) {
      this.held = [frame];
      this.fail('frame-too-large', `message of ${frame.length} bytes exceeds maxMessageBytes = ${this.maxMessageBytes}`, this.maxMessageBytes);
      return;
    }
    try {
      out.push(decodeFrame(frame));
    } catch (err) {
      this.held = [frame];
      this.fail('malformed', `could not decode the message: ${err instanceof Error ? err.message : String(err)}`, 0);
    }
  }

  /** Enters the failed state; `held` holds the start of the bad frame, `offset` is where the problem is in it. */
  private fail(code: FrameErrorCode, why: string, offset: number): void {
    let header = {};
    if (code !== 'not-a-dict') {
      const total = this.held.reduce((sum, part) => sum + part.length, 0);
      header = peekHeader(Buffer.concat(this.held, Math.min(total, PEEK_LIMIT)));
    }
    const where = code === 'not-a-dict' ? '' : ` (at byte ${offset} of the message)`;
    this.failure = { code, message: `${why}${where}`, fatal: true, offset, ...header };
    this.held = [];
    this.base = 0;
    this.state = BETWEEN;
  }
}

/** A byte as the error message shows it: `'G'` for printable ASCII, `0x16` otherwise. */
function show(b: number): string {
  return b >= 0x21 && b <= 0x7e ? `'${String.fromCharCode(b)}'` : `0x${b.toString(16).padStart(2, '0')}`;
}
