/**
 * util.inspect of one string value, in pieces: the pieces joined are exactly
 * `inspect(value, options)` (test/property/string-pieces.test.ts holds every
 * supported Node to that), but no piece is longer than about `pieceChars`,
 * so a 100 MB string result is printed without a second 100 MB copy of it.
 *
 * It follows what inspect does to a top-level string: a long string is cut
 * after each newline, each line quoted on its own and joined with ` +\n  `;
 * each line is quoted with the first of ' " ` it does not contain and escaped.
 * Long lines are escaped piece by piece through inspect itself: a piece picks
 * the same escapes as its line, except in a line holding ' " and ` (or ${) at
 * once, quoted with ' and so escaping it, where a piece without all three
 * picks another quote and leaves its ' alone: those get the ' escaped after.
 * Nothing is ever printed whole, so nothing here can outgrow a string.
 *
 * `options` must name breakLength and compact (printPieceOptions): both
 * passes over a value (its byte length, then its bytes) must cut it alike even
 * if util.inspect.defaultOptions change in between.
 */
import { inspect, type InspectOptions } from 'node:util';
import { isPairAt } from './options';

/** inspect's kMinLineLength: a string of up to this many characters is never cut into lines. */
const MIN_LINE_LENGTH = 16;
/** Text util.inspect leaves as it is inside any quotes. */
const PLAIN = /^[\x20-\x26\x28-\x5b\x5d-\x7e]*$/;
/** Quote-free escaping of one piece: never cut into lines, never shortened. */
const FLAT: InspectOptions = { colors: false, maxStringLength: Infinity, breakLength: Infinity, compact: 3 };

/**
 * Whether `stringPieces` prints `value` with `options` as inspect does:
 * colours off and no string limit (the caller prints other cases whole).
 */
export function piecesApply(value: unknown, options: InspectOptions): value is string {
  return typeof value === 'string' && options.colors !== true && (options.maxStringLength === undefined || options.maxStringLength === Infinity);
}

/** `options` over util.inspect.defaultOptions, as they stand now: what stringPieces takes. */
export function printPieceOptions(options: InspectOptions): InspectOptions & { breakLength: number; compact: boolean | number } {
  const effective = { ...inspect.defaultOptions, ...options, colors: false };
  const breakLength = typeof effective.breakLength === 'number' ? effective.breakLength : 128;
  const compact = typeof effective.compact === 'number' || typeof effective.compact === 'boolean' ? effective.compact : 3;
  return { ...effective, breakLength, compact };
}

/** The pieces of `inspect(value, options)`; see the module comment. */
export function* stringPieces(value: string, options: InspectOptions & { breakLength: number; compact: boolean | number }, pieceChars: number): Generator<string> {
  const { breakLength } = options;
  const byLine = options.compact !== true && value.length > MIN_LINE_LENGTH && value.length > breakLength - 4;
  if (!byLine) {
    yield* linePieces(value, pieceChars);
    return;
  }
  // inspect prints a group of whole lines long enough to be cut as it prints them in the value.
  const groupOptions: InspectOptions = { colors: false, maxStringLength: Infinity, breakLength, compact: options.compact };
  for (let start = 0; start < value.length; ) {
    let end = start;
    while (end < value.length) {
      const newline = value.indexOf('\n', end);
      const lineEnd = newline < 0 ? value.length : newline + 1;
      if (lineEnd - start > pieceChars && end > start) break;
      end = lineEnd;
      if (end - start >= pieceChars) break;
    }
    if (start > 0) yield ' +\n  ';
    const group = value.slice(start, end);
    if (group.length > pieceChars) yield* linePieces(group, pieceChars);
    else if (group.length > MIN_LINE_LENGTH && group.length > breakLength - 4) yield inspect(group, groupOptions);
    else yield* shortLines(group);
    start = end;
  }
}

/** Whole lines too short together for inspect to cut them: each printed, joined as inspect joins them. */
function* shortLines(group: string): Generator<string> {
  for (let start = 0; start < group.length; ) {
    const newline = group.indexOf('\n', start);
    const end = newline < 0 ? group.length : newline + 1;
    if (start > 0) yield ' +\n  ';
    yield inspect(group.slice(start, end), FLAT);
    start = end;
  }
}

/** One line (no newline but perhaps a last one), quoted and escaped, in pieces. */
function* linePieces(line: string, pieceChars: number): Generator<string> {
  if (line.length <= pieceChars) {
    yield inspect(line, FLAT);
    return;
  }
  const quote = quoteOf(line);
  // The line escapes ' (it holds ' " and ` at once); a piece that picked " or ` did not.
  const escapeSingle = quote === "'" && line.includes("'");
  yield quote;
  for (let start = 0; start < line.length; ) {
    let end = Math.min(line.length, start + pieceChars);
    // A pair cut in two would print as two lone surrogates (\ud83d\ude00).
    if (end < line.length && isPairAt(line, end - 1)) end = end - 1 > start ? end - 1 : end + 1;
    const piece = line.slice(start, end);
    // Printable ASCII but ' and \ is never escaped: the piece is its own text, and no copy.
    if (PLAIN.test(piece)) yield piece;
    else {
      const printed = inspect(piece, FLAT);
      // No escape sequence contains ', so escaping it afterwards is exactly what the line's quote does.
      yield escapeSingle && printed[0] !== "'" ? printed.slice(1, -1).replace(/'/g, "\\'") : printed.slice(1, -1);
    }
    start = end;
  }
  yield quote;
}

/** The quote inspect puts around `line`. */
function quoteOf(line: string): string {
  if (!line.includes("'")) return "'";
  if (!line.includes('"')) return '"';
  if (!line.includes('`') && !line.includes('${')) return '`';
  return "'";
}
