/**
 * The decoded shapes of bencode, in a module of their own so the codec's
 * parts (decode-frame.ts, frame-reader.ts, bencode.ts) share them without
 * importing each other in a circle.
 */

/** A decoded bencode value: byte strings become UTF-8 strings (or Buffers for `-unencoded` keys). */
export type BValue = string | number | Buffer | BValue[] | BDict;

/** A decoded bencode dictionary. */
export interface BDict {
  [key: string]: BValue;
}

/** A decoded nREPL message: always a dictionary at the top level. */
export type DecodedMessage = BDict;
