/**
 * Long printed values, sent to the worker in pieces it pulls instead of as
 * one string: each piece is UTF-8 encoded into its own buffer and
 * transferred (not copied), and the next is made only when the worker has
 * handed the last to a client that reads. So a 100 MB value never exists
 * whole a second time on this thread, is never cloned into the worker, and
 * never waits whole in a socket — the worker holds a few pieces at most.
 *
 * A string value printed with util.inspect is printed piece by piece
 * (shared/print/string-pieces.ts); other values are printed whole once, as
 * before, and only that text is held here until its client has read it or
 * is gone. The quota and `stream?` runs are cut while reading
 * (shared/print/text-cursor.ts), exactly as applyQuota and chunk cut.
 */
import type { ToWorker } from '../../seam/channel';
import { isPairAt } from '../../shared/print/options';
import { TextCursor } from '../../shared/print/text-cursor';

/** A printed value at least this long goes as a stream when the caller can take one (payload `pieces`). */
export const STREAM_MIN_CHARS = 64 * 1024;
/** Characters per piece: a piece is at most 3 × this in UTF-8 (a run longer than this spans pieces). */
export const PIECE_CHARS = 64 * 1024;

/**
 * Pieces sent with the value event, before the worker asks: then the worker
 * asks for more as its socket takes them. One, because a reply queued behind
 * another one keeps what it was sent until its turn.
 */
export const PIECES_AHEAD = 1;

/** Room of a piece's buffer: PIECE_CHARS characters take at most 3 bytes each in UTF-8. */
const PIECE_BYTES = 3 * PIECE_CHARS;

export type PiecePost = (message: ToWorker, transfer: ArrayBuffer[]) => void;

interface Stream {
  cursor: TextCursor;
  /** Buffers of written pieces the worker gave back, to fill again. */
  spares: ArrayBuffer[];
  conn: number;
  /** `stream?` run length; undefined when the value goes as one reply. */
  runChars?: number;
  /** What is left to send of the run begun in an earlier piece (a run longer than a piece). */
  rest: string[];
  /** Sent whole: the byte length its head declared, and what was sent so far. */
  declared?: number;
  sent: number;
}

/** The value streams open on this thread. */
export class ValueStreams {
  private readonly streams = new Map<number, Stream>();
  private lastId = 0;
  private stopped = false;

  constructor(
    private readonly post: PiecePost,
    /** Says why a stream failed (a bug): its connection is closed, the host goes on. */
    private readonly report: (line: string) => void = () => {},
  ) {}

  /**
   * Opens a stream of the text `source` yields (called again for each pass:
   * sent whole, the reply's head needs the byte length first). Returns what
   * the value event carries instead of `value`, or undefined once the worker
   * is gone. Throws what `source` throws while counting.
   */
  open(
    source: () => Iterable<string>,
    conn: number,
    quota: number | undefined,
    runChars?: number,
  ): { valueStream: { stream: number; bytes?: number }; truncated: boolean } | undefined {
    if (this.stopped) return undefined;
    const stream = ++this.lastId;
    let bytes: number | undefined;
    let truncated = false;
    if (runChars === undefined) {
      const counter = new TextCursor(source()[Symbol.iterator](), quota);
      bytes = 0;
      for (let run = counter.nextParts(PIECE_CHARS); run !== undefined; run = counter.nextParts(PIECE_CHARS)) for (const part of run) bytes += Buffer.byteLength(part);
      truncated = counter.truncated;
    }
    this.streams.set(stream, { cursor: new TextCursor(source()[Symbol.iterator](), quota), spares: [], conn, runChars, rest: [], declared: bytes, sent: 0 });
    return { valueStream: { stream, bytes }, truncated };
  }

  /** The worker can take `pieces` more pieces of `stream`; `spare` is a written piece's buffer, given back. */
  pull(stream: number, pieces: number, spare?: Uint8Array): void {
    if (spare && spare.buffer instanceof ArrayBuffer) this.streams.get(stream)?.spares.push(spare.buffer);
    for (let i = 0; i < pieces; i++) {
      const open = this.streams.get(stream);
      if (!open) return;
      try {
        this.sendPiece(stream, open);
      } catch (err) {
        // A reply whose bytes cannot all come can only end with its connection.
        this.streams.delete(stream);
        this.report(`NREPL_INTERNAL: a long value could not be sent (${err instanceof Error ? err.message : String(err)}); its connection is closed`);
        this.post({ t: 'valuePiece', stream, bytes: new Uint8Array(0), last: true, failed: true }, []);
        return;
      }
    }
  }

  /** The worker will take no more of `stream`. */
  drop(stream: number): void {
    this.streams.delete(stream);
  }

  /** A connection closed: its streams' text is let go. */
  dropConnection(conn: number): void {
    for (const [id, open] of this.streams) if (open.conn === conn) this.streams.delete(id);
  }

  /** The worker is gone: nothing is held, and nothing more is opened. */
  clear(): void {
    this.stopped = true;
    this.streams.clear();
  }

  /**
   * Sends up to PIECE_CHARS characters. With `stream?`, `runs` holds the byte
   * length of each run that begins in this piece; a run longer than what is
   * left of the piece goes on in the next ones.
   */
  private sendPiece(id: number, open: Stream): void {
    const { cursor, runChars } = open;
    const slices: string[] = [];
    const runs: number[] = [];
    let chars = 0;
    while (chars < PIECE_CHARS) {
      if (open.rest.length === 0) {
        const run = cursor.nextParts(runChars ?? PIECE_CHARS);
        if (run === undefined) break;
        if (runChars !== undefined) runs.push(run.reduce((n, part) => n + Buffer.byteLength(part), 0));
        open.rest = run;
      }
      const part = open.rest[0]!;
      const room = PIECE_CHARS - chars;
      if (part.length <= room) {
        slices.push(part);
        open.rest.shift();
        chars += part.length;
        continue;
      }
      // Never between the halves of a pair: each would be encoded on its own, as a replacement character.
      const cut = isPairAt(part, room - 1) ? (room > 1 ? room - 1 : room + 1) : room;
      slices.push(part.slice(0, cut));
      open.rest[0] = part.slice(cut);
      chars += cut;
    }
    const last = cursor.done && open.rest.length === 0;
    const length = slices.reduce((n, slice) => n + Buffer.byteLength(slice), 0);
    // Its own ArrayBuffer (never the shared pool's): transferring moves it to the worker.
    const spare = open.spares.pop();
    const bytes = spare && spare.byteLength >= length ? Buffer.from(spare, 0, length) : Buffer.from(new ArrayBuffer(Math.max(length, PIECE_BYTES)), 0, length);
    let at = 0;
    for (const slice of slices) at += bytes.write(slice, at);
    open.sent += at;
    // Checked before the bytes go: a byte past the declared length would start a frame of its own.
    if (open.declared !== undefined && (open.sent > open.declared || (last && open.sent !== open.declared))) {
      throw new Error(`the reply declared ${open.declared} bytes and ${open.sent} came`);
    }
    if (last) this.streams.delete(id);
    const piece: ToWorker = { t: 'valuePiece', stream: id, bytes, last };
    if (runChars !== undefined) piece.runs = runs;
    if (last && cursor.truncated) piece.truncated = true;
    this.post(piece, [bytes.buffer as ArrayBuffer]);
  }
}
