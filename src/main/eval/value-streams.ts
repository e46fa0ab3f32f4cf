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
import { TextCursor } from '../../shared/print/text-cursor';

/** A printed value at least this long goes as a stream when the caller can take one (payload `pieces`). */
export const STREAM_MIN_CHARS = 64 * 1024;
/** Characters per piece: a piece is at most 3 × this in UTF-8, and holds whole `stream?` runs. */
export const PIECE_CHARS = 64 * 1024;

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
}

/** The value streams open on this thread. */
export class ValueStreams {
  private readonly streams = new Map<number, Stream>();
  private lastId = 0;

  constructor(private readonly post: PiecePost) {}

  /**
   * Opens a stream of the text `source` yields (called again for each pass:
   * sent whole, the reply's head needs the byte length first). Returns what
   * the value event carries instead of `value`.
   */
  open(source: () => Iterable<string>, conn: number, quota: number | undefined, runChars?: number): { valueStream: { stream: number; bytes?: number }; truncated: boolean } {
    const stream = ++this.lastId;
    let bytes: number | undefined;
    let truncated = false;
    if (runChars === undefined) {
      const counter = new TextCursor(source()[Symbol.iterator](), quota);
      bytes = 0;
      for (let run = counter.nextParts(PIECE_CHARS); run !== undefined; run = counter.nextParts(PIECE_CHARS)) for (const part of run) bytes += Buffer.byteLength(part);
      truncated = counter.truncated;
    }
    this.streams.set(stream, { cursor: new TextCursor(source()[Symbol.iterator](), quota), spares: [], conn, runChars });
    return { valueStream: { stream, bytes }, truncated };
  }

  /** The worker can take `pieces` more pieces of `stream`; `spare` is a written piece's buffer, given back. */
  pull(stream: number, pieces: number, spare?: Uint8Array): void {
    if (spare && spare.buffer instanceof ArrayBuffer) this.streams.get(stream)?.spares.push(spare.buffer);
    for (let i = 0; i < pieces; i++) {
      const open = this.streams.get(stream);
      if (!open) return;
      this.sendPiece(stream, open);
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

  /** The worker is gone. */
  clear(): void {
    this.streams.clear();
  }

  /** Streams open now (for tests and the heap's sake: each holds its printed text). */
  get size(): number {
    return this.streams.size;
  }

  private sendPiece(id: number, open: Stream): void {
    const { cursor, runChars } = open;
    // Runs as slices of the printed pieces: written into the buffer one by one, never joined first.
    const runs: string[][] = [];
    let chars = 0;
    do {
      const run = cursor.nextParts(runChars ?? PIECE_CHARS);
      if (run === undefined) break;
      runs.push(run);
      for (const part of run) chars += part.length;
    } while (runChars !== undefined && chars < PIECE_CHARS && !cursor.done);
    const last = cursor.done;
    const lengths = runs.map((run) => run.reduce((n, part) => n + Buffer.byteLength(part), 0));
    const length = lengths.reduce((a, b) => a + b, 0);
    // Its own ArrayBuffer (never the shared pool's): transferring moves it to the worker.
    const spare = open.spares.pop();
    const bytes = spare && spare.byteLength >= length ? Buffer.from(spare, 0, length) : Buffer.from(new ArrayBuffer(Math.max(length, PIECE_BYTES)), 0, length);
    let at = 0;
    for (const run of runs) for (const part of run) at += bytes.write(part, at);
    if (last) this.streams.delete(id);
    const piece: ToWorker = { t: 'valuePiece', stream: id, bytes, last };
    if (runChars !== undefined) piece.runs = lengths;
    if (last && cursor.truncated) piece.truncated = true;
    this.post(piece, [bytes.buffer as ArrayBuffer]);
  }
}
