// describe.ts and sessions.ts formatting: readable text from replies.
import { describe, expect, it } from 'vitest';
import { versionsLine } from '../../src/cli/connect';
import { formatDescribe } from '../../src/cli/describe';
import { paletteFor } from '../../src/cli/io';
import { formatSessions } from '../../src/cli/sessions';

const plain = paletteFor({ isTTY: false }, {});
const reply = {
  ops: { eval: { doc: 'Evaluates code.', requires: { code: 'The code.' } }, clone: {}, describe: {} },
  versions: { 'nrepl-ts': { major: 0, minor: 1, incremental: 0, 'version-string': '0.1.0' }, node: { 'version-string': '20.20.2' } },
  aux: { 'current-ns': 'user' },
  status: ['done'],
};

describe('formatDescribe', () => {
  it('shows versions, sorted ops and aux', () => {
    expect(formatDescribe(reply, '127.0.0.1:7888', false, plain)).toBe(
      ['nREPL server at 127.0.0.1:7888', 'versions  nrepl-ts 0.1.0, node 20.20.2', 'ops       clone, describe, eval', 'aux       current-ns user'].join('\n'),
    );
  });

  it('with verbose, adds each op with its doc and parameters', () => {
    const text = formatDescribe(reply, 'h:1', true, plain);
    expect(text).toContain('\neval\n  Evaluates code.\n  requires code: The code.');
  });

  it('wraps a long ops list under its column', () => {
    const many = { ops: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`operation-${i}`, {}])) };
    const lines = formatDescribe(many, 'h:1', false, plain).split('\n');
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    expect(lines[2]).toMatch(/^ {10}operation/);
  });
});

describe('formatSessions', () => {
  it('counts and lists ids, or says there are none', () => {
    expect(formatSessions(['a', 'b'], 'h:1')).toBe('2 sessions on h:1:\n  a\n  b');
    expect(formatSessions(['a'], 'h:1')).toBe('1 session on h:1:\n  a');
    expect(formatSessions([], 'h:1')).toBe('no sessions on h:1');
  });
});

describe('versionsLine', () => {
  it('names each runtime with its version', () => {
    expect(versionsLine(reply)).toBe('nrepl-ts 0.1.0, node 20.20.2');
    expect(versionsLine({})).toBe('');
  });
});
