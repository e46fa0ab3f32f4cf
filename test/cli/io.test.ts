// io.ts: colors only on a TTY and never with NO_COLOR; output that keeps
// values and prompts on lines of their own; JSON lines.
import { describe, expect, it } from 'vitest';
import { colorsEnabled, jsonLine, OutputWriter, paletteFor, stripColors, type Io } from '../../src/cli/io';

describe('colors', () => {
  it('are on for a TTY only, off with NO_COLOR (any non-empty value) or TERM=dumb', () => {
    expect(colorsEnabled(true, {})).toBe(true);
    expect(colorsEnabled(false, {})).toBe(false);
    expect(colorsEnabled(undefined, {})).toBe(false);
    expect(colorsEnabled(true, { NO_COLOR: '1' })).toBe(false);
    expect(colorsEnabled(true, { NO_COLOR: '' })).toBe(true);
    expect(colorsEnabled(true, { TERM: 'dumb' })).toBe(false);
    expect(paletteFor({ isTTY: true }, {}).red('x')).toBe('\u001b[31mx\u001b[39m');
    expect(paletteFor({ isTTY: false }, {}).red('x')).toBe('x');
  });
});

function fakeIo(): { io: Io; text: () => string } {
  let text = '';
  const stream = { write: (s: string) => ((text += s), true), isTTY: false } as unknown as NodeJS.WriteStream;
  return { io: { env: {}, cwd: '/', stdin: process.stdin, stdout: stream, stderr: stream }, text: () => text };
}

describe('OutputWriter', () => {
  it('starts a value on a new line after output without a trailing newline', () => {
    const { io, text } = fakeIo();
    const w = new OutputWriter(io);
    w.stdout('partial');
    w.line('42');
    w.stdout('whole\n');
    w.line('43');
    expect(text()).toBe('partial\n42\nwhole\n43\n');
  });
});

describe('stripColors', () => {
  it('removes SGR escapes only', () => {
    expect(stripColors('\u001b[33m1\u001b[39m and \u001b[1;31mred\u001b[0m\u001b[2K')).toBe('1 and red\u001b[2K');
  });

  it('is applied to server text when colors are off', () => {
    const { io, text } = fakeIo();
    const w = new OutputWriter(io);
    w.stdout('\u001b[33m1\u001b[39m\n');
    w.line('\u001b[32m"v"\u001b[39m');
    expect(text()).toBe('1\n"v"\n');
  });
});

describe('jsonLine', () => {
  it('prints one line, bytes as base64', () => {
    expect(jsonLine({ a: 'x', b: Buffer.from('hi') })).toBe('{"a":"x","b":"aGk="}\n');
  });
});
