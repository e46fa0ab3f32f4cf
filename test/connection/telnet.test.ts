import { describe, expect, it } from 'vitest';
import { stripTelnet } from '../../src/worker/connection/telnet';

const strip = (bytes: number[]) => {
  const r = stripTelnet(Buffer.from(bytes));
  return { text: r.data.toString('latin1'), interrupts: r.interrupts };
};

describe('stripTelnet', () => {
  it('passes ordinary text through untouched (same buffer)', () => {
    const chunk = Buffer.from('1 + 1\n');
    expect(stripTelnet(chunk).data).toBe(chunk);
    expect(stripTelnet(chunk).interrupts).toBe(0);
  });

  it('counts a raw Ctrl-C and removes it', () => {
    expect(strip([0x61, 0x03, 0x62])).toEqual({ text: 'ab', interrupts: 1 });
  });

  it('counts IAC IP and IAC BRK as interrupts', () => {
    expect(strip([0xff, 0xf4, 0x41, 0xff, 0xf3])).toEqual({ text: 'A', interrupts: 2 });
  });

  it('strips option negotiation, subnegotiation and other two-byte commands', () => {
    // IAC DO 3, IAC WILL 1, IAC SB 24 0 'x' IAC SE, IAC NOP, then text.
    expect(strip([0xff, 0xfd, 0x03, 0xff, 0xfb, 0x01, 0xff, 0xfa, 0x18, 0x00, 0x78, 0xff, 0xf0, 0xff, 0xf1, 0x6f, 0x6b])).toEqual({ text: 'ok', interrupts: 0 });
  });

  it('drops a lone IAC at the end of a chunk and an escaped IAC IAC', () => {
    expect(strip([0x61, 0xff, 0xff, 0x62, 0xff])).toEqual({ text: 'ab', interrupts: 0 });
  });

  it('leaves UTF-8 multi-byte characters whole', () => {
    const chunk = Buffer.from('"é→😀"\x03\n');
    expect(stripTelnet(chunk).data.toString('utf8')).toBe('"é→😀"\n');
  });
});
