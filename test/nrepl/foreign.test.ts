import { describe, expect, it } from 'vitest';
import { foreignServer, foreignServerMessage, ncCommand, plainReplNotice, startsBencodeDict } from '../../src/shared/foreign';

const b = (s: string) => Buffer.from(s, 'latin1');

describe('foreignServer names a server that is not nREPL from its first bytes', () => {
  it.each([
    ['> ', 'plain REPL'],
    ['user=> ', 'plain REPL'],
    ['clojure.core=> ', 'plain REPL'],
    [plainReplNotice('repl'), 'plain REPL'],
    ['{:tag :ret, :val "1"}\n', 'prepl (EDN)'],
    ['{"tag":"ret","val":"1"}\n', 'prepl (JSON)'],
    ['d2:op4:evale', undefined],
    ['HTTP/1.1 400 Bad Request\r\n', undefined],
    ['', undefined],
  ])('%j → %s', (head, kind) => {
    expect(foreignServer(b(head))).toBe(kind);
  });
});

describe('startsBencodeDict spots an nREPL client', () => {
  it.each([
    ['d2:op8:describe2:id1:1e', true],
    ['d4:code3:1+12:op4:evale', true],
    ['d7:session36:', true],
    ['d2:opli1ee', true],
    ['d2:op', false], // too short to tell: evaluated as code
    ['d1 + 1\n', false],
    ['d2 = 3\n', false],
    ['do { x++ } while (x < 3)\n', false],
    ['1+1\n', false],
    ['', false],
  ])('%j → %s', (head, yes) => {
    expect(startsBencodeDict(b(head))).toBe(yes);
  });
});

describe('the lines say what is there and which client to use', () => {
  it('suggests nc for TCP and unix targets', () => {
    expect(ncCommand('127.0.0.1:5555')).toBe('nc 127.0.0.1 5555');
    expect(ncCommand('[::1]:5555')).toBe('nc ::1 5555');
    expect(ncCommand('nrepl+unix:/tmp/r.sock')).toBe('nc -U /tmp/r.sock');
    expect(foreignServerMessage('plain REPL', '127.0.0.1:5555')).toBe(
      "127.0.0.1:5555 is a plain REPL, not an nREPL server; type into it with `nc 127.0.0.1 5555` (or telnet), or point this client at the app's nREPL port (the one in .nrepl-port)",
    );
    expect(foreignServerMessage('prepl (EDN)', '127.0.0.1:5556')).toMatch(/^127\.0\.0\.1:5556 is a prepl \(EDN\), not an nREPL server; .*`nc 127\.0\.0\.1 5556`/);
  });

  it('words the plain REPL\'s notice as one line', () => {
    expect(plainReplNotice('dev')).toMatch(/^nrepl-ts: this is a plain REPL \(server dev, nrepl-ts\/repl\), not nREPL: [^\n]*nc or telnet[^\n]*\n$/);
  });
});
