/**
 * Reads printed text that arrives in pieces (string-pieces.ts, or slices of
 * a printed value) in runs of a chosen length, with the quota applied: the
 * runs are exactly `chunk(applyQuota(text, quota).text, size)` of the whole
 * text (options.ts), and `truncated` is what applyQuota says, without the
 * whole text ever being one string. Holds at most about one piece plus one
 * run.
 */
import { isPair } from './options';

export class TextCursor {
  /** Text read from the source and not yet handed out, as the pieces came (no joined copy). */
  private pending: string[] = [];
  private pendingLength = 0;
  private exhausted = false;
  private taken = 0;
  private finished = false;
  private gaveOne = false;
  /** True once the quota cut the text (known when `next` returned the last run). */
  truncated = false;

  /** True once `next` returned the last run. */
  get done(): boolean {
    return this.finished;
  }

  constructor(
    private readonly source: Iterator<string>,
    /** At most this many characters in all; undefined, NaN or Infinity for no limit. */
    private readonly quota?: number,
  ) {}

  /** The next run as one string; see `nextParts`. */
  next(size: number): string | undefined {
    const parts = this.nextParts(size);
    return parts === undefined ? undefined : parts.length === 1 ? parts[0] : parts.join('');
  }

  /**
   * The next run of at most `size` characters (one less when a run would end
   * inside a surrogate pair; with size 1, a pair is one run of 2), as the
   * slices of pieces it is made of, or undefined after the last. An empty
   * text gives one empty run.
   */
  nextParts(size: number): string[] | undefined {
    if (this.finished) return undefined;
    const step = size >= 1 ? Math.floor(size) : 1;
    const room = this.quota === undefined || !(this.quota < Infinity) ? Infinity : Math.max(0, Math.floor(this.quota)) - this.taken;
    const want = Math.min(step, room);
    // One character beyond the run tells whether the text goes on and whether the cut splits a pair.
    while (this.pendingLength <= want && !this.exhausted) {
      const piece = this.source.next();
      if (piece.done) this.exhausted = true;
      else if (piece.value.length > 0) {
        this.pending.push(piece.value);
        this.pendingLength += piece.value.length;
      }
    }
    if (this.pendingLength <= want) {
      // The rest of the text fits.
      this.finished = true;
      return this.take(this.pendingLength);
    }
    if (room <= step) {
      // The quota ends the text here.
      this.finished = true;
      this.truncated = true;
      return this.take(this.cutPoint(room));
    }
    let end = this.cutPoint(step);
    if (end === 0) end = 2;
    return this.take(end);
  }

  private take(end: number): string[] | undefined {
    if (end === 0 && this.gaveOne) return undefined;
    this.gaveOne = true;
    this.taken += end;
    this.pendingLength -= end;
    const parts: string[] = [];
    while (end > 0) {
      const first = this.pending[0]!;
      if (first.length <= end) {
        parts.push(first);
        this.pending.shift();
        end -= first.length;
      } else {
        // Slices of a long string share its characters: nothing is copied.
        parts.push(first.slice(0, end));
        this.pending[0] = first.slice(end);
        end = 0;
      }
    }
    if (parts.length === 0) parts.push('');
    return parts;
  }

  /** `at`, or `at - 1` when the characters at at - 1 and at are the halves of one pair. */
  private cutPoint(at: number): number {
    if (at <= 0 || at >= this.pendingLength) return at;
    return isPair(this.charCodeAt(at - 1), this.charCodeAt(at)) ? at - 1 : at;
  }

  private charCodeAt(at: number): number {
    for (const piece of this.pending) {
      if (at < piece.length) return piece.charCodeAt(at);
      at -= piece.length;
    }
    return NaN;
  }
}
