/**
 * Telnet and terminal control bytes on a plain-REPL line: finds Ctrl-C (a
 * raw 0x03, as `stty raw; nc` or socat send it, or telnet's IAC IP / IAC
 * BRK) and strips every telnet command (IAC + verb, IAC + option
 * negotiation, IAC SB … IAC SE subnegotiation) so they never reach the
 * reader. An escaped IAC IAC is a literal 0xFF byte (never valid UTF-8, so
 * it is dropped too).
 *
 * Pure: bytes in, bytes out. A command split across two chunks is not
 * reassembled: telnet clients send each command in one write.
 */

const IAC = 0xff;
const SB = 0xfa;
const SE = 0xf0;
const IP = 0xf4;
const BRK = 0xf3;
const CTRL_C = 0x03;

/** The chunk without control bytes, and how many interrupts it held. */
export function stripTelnet(chunk: Buffer): { data: Buffer; interrupts: number } {
  if (chunk.indexOf(IAC) < 0 && chunk.indexOf(CTRL_C) < 0) return { data: chunk, interrupts: 0 };
  const out = Buffer.allocUnsafe(chunk.length);
  let length = 0;
  let interrupts = 0;
  for (let i = 0; i < chunk.length; i++) {
    const b = chunk[i]!;
    if (b === CTRL_C) {
      interrupts += 1;
      continue;
    }
    if (b !== IAC) {
      out[length++] = b;
      continue;
    }
    const verb = chunk[i + 1];
    if (verb === undefined) break;
    if (verb === IP || verb === BRK) {
      interrupts += 1;
      i += 1;
    } else if (verb === SB) {
      // Skip to IAC SE.
      let j = i + 2;
      while (j < chunk.length && !(chunk[j] === IAC && chunk[j + 1] === SE)) j++;
      i = j + 1;
    } else if (verb >= 0xfb && verb <= 0xfe) {
      i += 2; // WILL / WONT / DO / DONT + option
    } else {
      i += 1; // any other two-byte command, IAC IAC included
    }
  }
  return { data: out.subarray(0, length), interrupts };
}
