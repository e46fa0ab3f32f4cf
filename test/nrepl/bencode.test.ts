import { beforeAll, describe, expect, it, vi } from 'vitest';
import { ErrorCodes, NreplTsError } from '../../src/errors';
import { DEFAULT_MAX_DEPTH, encode, encodeHead, FRAME_END, FrameReader, loadCodec, type DecodedMessage } from '../../src/shared/bencode/bencode';
import { bencodePackage } from '../../src/shared/bencode/decode-frame';

beforeAll(loadCodec);

const ascii = (s: string): Buffer => Buffer.from(s, 'latin1');
const text = (b: Buffer): string => b.toString('latin1');

/** Feeds every chunk to a fresh reader and collects all messages. */
function readAll(chunks: Buffer[], opts?: ConstructorParameters<typeof FrameReader>[0]) {
  const reader = new FrameReader(opts);
  const messages: DecodedMessage[] = [];
  for (const c of chunks) messages.push(...reader.push(c));
  return { messages, reader };
}

function split(buf: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
}

describe('encode', () => {
  it('writes every type, keys sorted, strings with byte lengths', () => {
    const frame = encode({
      op: 'eval',
      n: 42,
      neg: -3,
      yes: true,
      no: false,
      big: 9007199254740991n,
      list: ['a', 1, ['x']],
      nested: { z: 1, a: { c: 'c', b: 'b' } },
      s: 'é€😀',
      empty: '',
    });
    expect(text(frame)).toBe(
      'd3:bigi9007199254740991e5:empty0:4:listl1:ai1el1:xee1:ni42e3:negi-3e6:nestedd1:ad1:b1:b1:c1:ce1:zi1ee2:noi0e2:op4:eval1:s9:' +
        text(Buffer.from('é€😀')) +
        '3:yesi1ee',
    );
  });

  it('drops null/undefined dict values and writes nil list items as le', () => {
    expect(text(encode({ a: null, b: undefined, c: [null, undefined, 1] }))).toBe('d1:cllelei1eee');
  });

  it('writes Buffers and Uint8Arrays as raw byte strings, Sets as lists, Maps as dicts', () => {
    const frame = encode({
      raw: Buffer.from([0xff, 0x00, 0x65]),
      u8: new Uint8Array([0x64]),
      status: new Set(['done', 'error']),
      m: new Map([['b', 2], ['a', 1]]),
    });
    expect(frame.equals(Buffer.concat([ascii('d1:md1:ai1e1:bi2ee3:raw3:'), Buffer.from([0xff, 0x00, 0x65]), ascii('6:statusl4:done5:errore2:u81:de')]))).toBe(true);
  });

  it('writes bigints up to +/-(2^53 - 1) exactly, and refuses bigger ones (the package writes integers through doubles)', () => {
    expect(text(encode({ a: 9007199254740991n, b: -9007199254740991n, c: 0n }))).toBe('d1:ai9007199254740991e1:bi-9007199254740991e1:ci0ee');
    expect(() => encode({ big: 12345678901234567890n })).toThrow('cannot encode 12345678901234567890n at "big": only integers within +/-(2^53 - 1) are allowed');
    expect(() => encode({ l: [-9007199254740992n] })).toThrow('cannot encode -9007199254740992n at "l[0]"');
  });

  it('writes a __proto__ key as an ordinary key, from objects and Maps', () => {
    const fromObject = JSON.parse('{"__proto__": {"x": 1}, "a": "b"}') as { [key: string]: string };
    expect(text(encode(fromObject))).toBe('d9:__proto__d1:xi1ee1:a1:be');
    expect(text(encode({ m: new Map([['__proto__', 'p']]) }))).toBe('d1:md9:__proto__1:pee');
  });

  it('returns a Buffer', () => {
    expect(Buffer.isBuffer(encode({ a: 1 }))).toBe(true);
  });

  it('writes the empty message', () => {
    expect(text(encode({}))).toBe('de');
  });

  // How fast it is written is bench/'s question (tests assert no timing); this holds the bytes.
  it('writes a 10 MB string, mixed with raw bytes, exactly', () => {
    const big = 'aé'.repeat(5 * 1024 * 1024);
    const frame = encode({ id: '1', value: big, raw: Buffer.from('xyz'), tail: 'é' });
    const bigBytes = Buffer.from(big);
    const expected = Buffer.concat([ascii('d2:id1:13:raw3:xyz4:tail2:'), Buffer.from('é'), ascii(`5:value${bigBytes.length}:`), bigBytes, ascii('e')]);
    expect(frame.equals(expected)).toBe(true);
  });

  it.each([
    [{ a: 1.5 }, 'cannot encode 1.5 at "a": only integers are allowed'],
    [{ a: [1, { b: NaN }] }, 'cannot encode NaN at "a[1].b"'],
    [{ a: () => 1 }, 'cannot encode a function at "a"'],
    [{ d: new Date(0) }, 'cannot encode a Date at "d"'],
    [{ s: new Set([1, Symbol('x')]) }, 'cannot encode a symbol at "s[1]"'],
  ])('refuses values bencode cannot carry, naming the path: %j', (msg, words) => {
    try {
      encode(msg as never);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(NreplTsError);
      expect((err as NreplTsError).code).toBe(ErrorCodes.INTERNAL);
      expect((err as Error).message).toContain(words);
    }
  });
});

describe('FrameReader: decoding', () => {
  it('reads every type; byte strings become UTF-8 strings, integers numbers', () => {
    const frame = Buffer.concat([ascii('d1:ai42e1:bi-7e1:cli0e1:xlee1:dd1:kd1:z0:ee1:e2:'), Buffer.from('é'), ascii('e')]);
    const { messages, reader } = readAll([frame]);
    expect(reader.error).toBeUndefined();
    expect(messages).toEqual([{ a: 42, b: -7, c: [0, 'x', []], d: { k: { z: '' } }, e: 'é' }]);
  });

  it('keeps a leading byte order mark in strings, and replaces invalid UTF-8', () => {
    const frame = Buffer.concat([ascii('d1:a4:'), Buffer.from('\ufeffx'), ascii('1:b1:'), Buffer.from([0xff]), ascii('e')]);
    expect(readAll([frame]).messages).toEqual([{ a: '\ufeffx', b: '\ufffd' }]);
  });

  it('round-trips what encode writes', () => {
    const msg = { op: 'eval', id: '1', code: '(println "héllo") 😀', n: -42, l: [1, ['x', []], { k: 'v' }], d: { z: { y: '' } } };
    expect(readAll([encode(msg)]).messages).toEqual([msg]);
  });

  it('reads the empty dict and many frames in one chunk', () => {
    const { messages } = readAll([ascii('ded2:id1:1ed2:id1:2e')]);
    expect(messages).toEqual([{}, { id: '1' }, { id: '2' }]);
  });

  it('counts string lengths in bytes and joins a multi-byte character split across chunks', () => {
    const frame = encode({ code: '€😀' });
    const cut = frame.indexOf(0xe2) + 1; // inside the 3 bytes of €
    const { messages } = readAll([frame.subarray(0, cut), frame.subarray(cut)]);
    expect(messages).toEqual([{ code: '€😀' }]);
  });

  it('reads one frame split at every possible byte offset, then the next frame', () => {
    const frame = encode({ id: '7', op: 'eval', code: '(+ 1 2) é', nested: { l: [1, -2, 'x'] }, n: -10 });
    const both = Buffer.concat([frame, frame]);
    for (let cut = 0; cut <= both.length; cut++) {
      const { messages, reader } = readAll([both.subarray(0, cut), both.subarray(cut)]);
      expect(reader.error, `cut at ${cut}`).toBeUndefined();
      expect(messages.length, `cut at ${cut}`).toBe(2);
      expect(messages[1]).toEqual({ id: '7', op: 'eval', code: '(+ 1 2) é', nested: { l: [1, -2, 'x'] }, n: -10 });
    }
  });

  it('reads a stream fed one byte at a time', () => {
    const frames = Buffer.concat([encode({ a: 'x' }), encode({ b: [1, 2] }), encode({})]);
    const { messages } = readAll(split(frames, 1));
    expect(messages).toEqual([{ a: 'x' }, { b: [1, 2] }, {}]);
  });

  it('accepts keys in any order and integers where strings are expected', () => {
    const { messages } = readAll([ascii('d2:opi1e2:id5:hello7:verbosei1e4:codei0ee')]);
    expect(messages).toEqual([{ op: 1, id: 'hello', verbose: 1, code: 0 }]);
  });

  it('keeps the values of keys listed in -unencoded as Buffers, wherever the list appears', () => {
    const payload = Buffer.from([0xff, 0xfe, 0x00]);
    const frame = Buffer.concat([ascii('d7:content3:'), payload, ascii('4:name3:a.b10:-unencodedl7:contentee')]);
    const { messages } = readAll([frame]);
    expect(messages[0]['-unencoded']).toEqual(['content']);
    expect(messages[0].name).toBe('a.b');
    expect(Buffer.isBuffer(messages[0].content)).toBe(true);
    expect((messages[0].content as Buffer).equals(payload)).toBe(true);
  });

  it('keeps nested byte strings of an -unencoded value as Buffers, but not its keys or integers', () => {
    const { messages } = readAll([ascii('d5:filesl1:ad1:k1:vei3ee10:-unencodedl5:filesee')]);
    const files = messages[0].files as unknown[];
    expect(Buffer.isBuffer(files[0])).toBe(true);
    expect(Object.keys(files[1] as object)).toEqual(['k']);
    expect(Buffer.isBuffer((files[1] as { k: unknown }).k)).toBe(true);
    expect(files[2]).toBe(3);
  });

  it('does not let a __proto__ key replace the prototype', () => {
    const { messages } = readAll([ascii('d9:__proto__d1:xi1eee')]);
    expect(Object.getPrototypeOf(messages[0])).toBe(Object.prototype);
    expect(Object.keys(messages[0])).toEqual(['__proto__']);
  });

  it('keeps a __proto__ key with a list or string value, nested too, as an own key', () => {
    const { messages } = readAll([ascii('d1:ad9:__proto__l1:xee9:__proto__3:abce')]);
    expect(Object.getPrototypeOf(messages[0])).toBe(Object.prototype);
    expect(messages[0]).toEqual({ a: { ['__proto__']: ['x'] }, ['__proto__']: 'abc' });
    expect(Object.getOwnPropertyNames(messages[0]).sort()).toEqual(['__proto__', 'a']);
  });

  it('never lets an integer __proto__ value touch the prototype (the package drops that key)', () => {
    const { messages, reader } = readAll([ascii('d9:__proto__i1e1:a1:be')]);
    expect(reader.error).toBeUndefined();
    expect(Object.getPrototypeOf(messages[0])).toBe(Object.prototype);
    expect(messages[0]).toEqual({ a: 'b' });
  });

  it(`accepts nesting up to maxDepth (${DEFAULT_MAX_DEPTH})`, () => {
    const frame = ascii('d1:a' + 'l'.repeat(DEFAULT_MAX_DEPTH - 1) + 'e'.repeat(DEFAULT_MAX_DEPTH - 1) + 'e');
    const { messages, reader } = readAll([frame]);
    expect(reader.error).toBeUndefined();
    expect(messages).toHaveLength(1);
  });

  it('accepts a frame of exactly maxMessageBytes', () => {
    const frame = encode({ code: 'x'.repeat(100) });
    expect(readAll([frame], { maxMessageBytes: frame.length }).messages).toHaveLength(1);
    expect(readAll([frame], { maxMessageBytes: frame.length - 1 }).reader.error?.code).toBe('frame-too-large');
  });

  // Linear work, counted rather than timed: the scanner keeps its state between chunks, so
  // what could go quadratic is copying. A reader that joined what it held on every chunk
  // would copy ~80 times the frame here; this one joins the held chunks once, when the frame ends.
  it('reads a 10 MB string in 64 KB chunks, copying it once', () => {
    const frame = encode({ id: '1', value: 'x'.repeat(10 * 1024 * 1024) });
    const chunks = split(frame, 64 * 1024);
    const concat = vi.spyOn(Buffer, 'concat');
    try {
      const { messages, reader } = readAll(chunks, { maxMessageBytes: Infinity });
      expect(reader.error).toBeUndefined();
      expect((messages[0].value as string).length).toBe(10 * 1024 * 1024);
      const copied = concat.mock.calls.reduce((sum, [list, total]) => sum + (total ?? list.reduce((n, b) => n + b.length, 0)), 0);
      expect(concat).toHaveBeenCalledTimes(1);
      expect(copied).toBe(frame.length);
    } finally {
      concat.mockRestore();
    }
  });
});

describe('FrameReader: errors (fatal, never thrown)', () => {
  it('rejects a first byte that is not d (HTTP hitting the port)', () => {
    const { messages, reader } = readAll([ascii('GET / HTTP/1.1\r\n\r\n')]);
    expect(messages).toEqual([]);
    expect(reader.error).toEqual({
      code: 'not-a-dict',
      message: "nREPL message must be a dictionary (bencode 'd'), got 'G'",
      fatal: true,
      offset: 0,
    });
  });

  it('returns the messages before a bad frame, then ignores everything', () => {
    const reader = new FrameReader();
    expect(reader.push(ascii('d2:id1:1eli1ee'))).toEqual([{ id: '1' }]);
    expect(reader.error?.code).toBe('not-a-dict');
    expect(reader.error?.message).toContain("got 'l'");
    expect(reader.push(ascii('d2:id1:2e'))).toEqual([]);
  });

  it.each([
    ['d2:idx', "expected a value or 'e', got 'x'", 5],
    ['d1:alxe', "expected a value or 'e', got 'x'", 5],
    ['d2:idi1xe', "expected a digit or 'e' in an integer, got 'x'", 7],
    ['d2:idie', "expected a digit in an integer, got 'e'", 6],
    ['d2:idi-e', "expected a digit in an integer, got 'e'", 7],
    ['d2:idi-0e', "expected a digit in an integer, got '0'", 7],
    ['d2:id1x', "expected a digit or ':' in a string length, got 'x'", 6],
    ['d2:ide', 'dictionary key without a value', 5],
    ['di1ei2ee', "dictionary key must be a byte string, got 'i'", 1],
    ['d1:ad1:bi1ei2ee', "dictionary key must be a byte string, got 'i'", 11],
    ['d1:ai' + '9'.repeat(21) + 'e', 'integer longer than 20 digits', 25],
  ])('reports malformed %s', (input, words, offset) => {
    const { reader } = readAll([ascii(input)]);
    expect(reader.error).toMatchObject({ code: 'malformed', fatal: true, offset });
    expect(reader.error?.message).toContain(words);
    expect(reader.error?.message).toContain(`at byte ${offset} of the message`);
  });

  it(`reports nesting deeper than maxDepth`, () => {
    const { reader } = readAll([ascii('d1:a' + 'l'.repeat(DEFAULT_MAX_DEPTH))]);
    expect(reader.error?.code).toBe('malformed');
    expect(reader.error?.message).toContain(`nesting deeper than ${DEFAULT_MAX_DEPTH} levels`);
    const { reader: shallow } = readAll([ascii('d1:ad1:bllee')], { maxDepth: 3 });
    expect(shallow.error?.message).toContain('nesting deeper than 3 levels');
  });

  it('reports an oversized string from its length, before its bytes arrive, with the id seen so far', () => {
    const reader = new FrameReader({ maxMessageBytes: 1024 * 1024 });
    expect(reader.push(ascii('d2:id2:427:session1:s4:code1073741824:'))).toEqual([]);
    expect(reader.error).toMatchObject({ code: 'frame-too-large', fatal: true, id: '42', session: 's' });
    expect(reader.error?.message).toMatch(/^a string of \d+\+ bytes exceeds maxMessageBytes = 1048576/);
    expect(reader.bufferedBytes).toBe(0);
  });

  it('reports an oversized frame made of many small values as the bytes arrive', () => {
    const reader = new FrameReader({ maxMessageBytes: 1000 });
    reader.push(ascii('d2:op4:eval4:codel'));
    for (let i = 0; i < 1000 && !reader.error; i++) reader.push(ascii('1:x'));
    expect(reader.error).toMatchObject({ code: 'frame-too-large', op: 'eval' });
    expect(reader.bufferedBytes).toBe(0);
  });

  it('reports an oversized frame that arrives whole in one chunk', () => {
    const frame = encode({ id: '9', l: Array.from({ length: 100 }, () => 'x') });
    expect(readAll([frame], { maxMessageBytes: 100 }).reader.error).toMatchObject({ code: 'frame-too-large', id: '9' });
  });

  it('keeps the id of a malformed frame when it came first', () => {
    const { reader } = readAll([ascii('d2:id3:abc2:op4:evalx')]);
    expect(reader.error).toMatchObject({ code: 'malformed', id: 'abc', op: 'eval' });
  });

  it('reports a frame the scanner accepts but the package cannot decode as malformed, without throwing', () => {
    const pkg = bencodePackage();
    const decode = pkg.decode;
    const spy = vi
      .spyOn(pkg, 'decode')
      .mockImplementationOnce((data) => decode(data))
      .mockImplementationOnce(() => {
        throw new Error('boom');
      });
    try {
      const reader = new FrameReader();
      expect(reader.push(ascii('d2:id1:1ed2:id1:2ed2:id1:3e'))).toEqual([{ id: '1' }]);
      expect(reader.error).toMatchObject({ code: 'malformed', fatal: true, offset: 0, id: '2' });
      expect(reader.error?.message).toContain('could not decode the message: boom');
      expect(reader.push(ascii('d2:id1:4e'))).toEqual([]);
    } finally {
      spy.mockRestore();
    }
  });

  it('validates its options', () => {
    expect(() => new FrameReader({ maxMessageBytes: 0 })).toThrow(/maxMessageBytes must be a positive integer or Infinity, got 0/);
    expect(() => new FrameReader({ maxDepth: 0 })).toThrow(/maxDepth must be an integer 1-10000, got 0/);
  });
});

describe('loadCodec', () => {
  it('returns the same promise every time', () => {
    expect(loadCodec()).toBe(loadCodec());
  });

  it('must be awaited before encode or FrameReader.push, which say so', async () => {
    vi.resetModules();
    const fresh = await import('../../src/shared/bencode/bencode.js');
    const reader = new fresh.FrameReader();
    for (const use of [() => fresh.encode({ op: 'eval' }), () => reader.push(ascii('de'))]) {
      try {
        use();
        expect.unreachable();
      } catch (err) {
        // A fresh module graph has its own NreplTsError class.
        expect(err).toMatchObject({ name: 'NreplTsError', code: ErrorCodes.INTERNAL });
        expect((err as Error).message).toContain('call loadCodec() first');
      }
    }
    await fresh.loadCodec();
    expect(text(fresh.encode({ op: 'eval' }))).toBe('d2:op4:evale');
    expect(reader.push(ascii('de'))).toEqual([{}]);
    expect(reader.error).toBeUndefined();
  });
});

describe('encodeHead', () => {
  it('with the bytes and FRAME_END, writes the frame encode writes for the whole message', () => {
    const value = 'é😀 "quoted"\n'.repeat(50);
    const bytes = Buffer.from(value);
    const stamp = { id: '7', session: 's-1', status: undefined };
    const head = encodeHead({ ns: 'user', status: ['nrepl.middleware.print/truncated'] }, 'value', bytes.length, stamp);
    const frame = Buffer.concat([head, bytes.subarray(0, 9), bytes.subarray(9), FRAME_END]);
    expect(frame.equals(encode({ ns: 'user', status: ['nrepl.middleware.print/truncated'], value }, stamp))).toBe(true);
  });

  it('refuses a field that would sort after the streamed one', () => {
    expect(() => encodeHead({ zebra: 1 }, 'value', 3)).toThrow(/zebra would follow value/);
  });
});
