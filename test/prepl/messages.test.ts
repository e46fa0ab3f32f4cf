import { describe, expect, it } from 'vitest';
import { ednThrowable, formatMessage, jsonThrowable } from '../../src/worker/prepl/messages';
import { readErrorData, throwableData } from '../../src/shared/print/throwable';
import { parseEdn } from '../../src/shared/config/edn';

describe('EDN messages (io-prepl)', () => {
  it('a :ret is one line, keys in io-prepl order, printed like prn', () => {
    const line = formatMessage({ tag: 'ret', value: { edn: '{:a [1 2]}' }, ns: 'user', ms: 3, form: '({a: [1, 2]})' }, 'edn');
    expect(line).toBe('{:tag :ret, :val "{:a [1 2]}", :ns "user", :ms 3, :form "({a: [1, 2]})"}\n');
    expect(parseEdn(line)).toEqual({ tag: 'ret', val: '{:a [1 2]}', ns: 'user', ms: 3, form: '({a: [1, 2]})' });
  });

  it(':out, :err and :tap', () => {
    expect(formatMessage({ tag: 'out', text: 'hi\n' }, 'edn')).toBe('{:tag :out, :val "hi\\n"}\n');
    expect(formatMessage({ tag: 'err', text: 'oops "x"\n' }, 'edn')).toBe('{:tag :err, :val "oops \\"x\\"\\n"}\n');
    expect(formatMessage({ tag: 'tap', value: { edn: '#{1}' } }, 'edn')).toBe('{:tag :tap, :val "#{1}"}\n');
  });

  it('an exception: :exception true, no :ms; a read error has no :form either', () => {
    const thrown = throwableData({ ex: 'Error', message: 'boom', causes: [] }, 'execution');
    const line = formatMessage({ tag: 'ret', value: ednThrowable(thrown), ns: 'user', form: 'f()', exception: true }, 'edn');
    const msg = parseEdn(line) as Record<string, unknown>;
    expect(Object.keys(msg)).toEqual(['tag', 'val', 'ns', 'form', 'exception']);
    expect(msg.exception).toBe(true);
    expect(msg.val).toBe('{:via [{:type "Error", :message "boom"}], :trace [], :cause "boom", :phase :execution}');

    const read = formatMessage({ tag: 'ret', value: ednThrowable(readErrorData({ name: 'SyntaxError', message: 'Unexpected token', line: 1, column: 2 })), ns: 'user', exception: true }, 'edn');
    expect(Object.keys(parseEdn(read) as object)).toEqual(['tag', 'val', 'ns', 'exception']);
    expect((parseEdn(read) as { val: string }).val).toBe(
      '{:via [{:type "SyntaxError", :message "Unexpected token (1:2)", :data {:clojure.error/line 1, :clojure.error/column 2}}], :trace [], :cause "Unexpected token (1:2)", :phase :read-source}',
    );
  });

  it('a JSON-mode value in an EDN message prints its text as a string (never happens on one connection, but stays readable)', () => {
    expect(formatMessage({ tag: 'tap', value: { text: '{ a: 1 }', data: { a: 1 } } }, 'edn')).toBe('{:tag :tap, :val "\\"{ a: 1 }\\""}\n');
  });

  it('every message is exactly one line, whatever the text holds', () => {
    const line = formatMessage({ tag: 'out', text: 'a\nb\r\u2028\u2029c' }, 'edn');
    expect(line.indexOf('\n')).toBe(line.length - 1);
    expect(line).not.toMatch(/[\r\u2028\u2029]/);
  });
});

describe('JSON messages', () => {
  it('a :ret: tag as a string, val the text to read, data the value, then ns/ms/form', () => {
    const line = formatMessage({ tag: 'ret', value: { text: '{ a: [ 1, 2 ] }', data: { a: [1, 2] } }, ns: 'user', ms: 2, form: '({a: [1, 2]})' }, 'json');
    expect(line).toBe('{"tag":"ret","val":"{ a: [ 1, 2 ] }","data":{"a":[1,2]},"ns":"user","ms":2,"form":"({a: [1, 2]})"}\n');
  });

  it('no data when JSON cannot carry the value', () => {
    expect(JSON.parse(formatMessage({ tag: 'ret', value: { text: '10n' }, ns: 'user', ms: 0, form: '10n' }, 'json'))).toEqual({
      tag: 'ret',
      val: '10n',
      ns: 'user',
      ms: 0,
      form: '10n',
    });
  });

  it('out, err, tap', () => {
    expect(formatMessage({ tag: 'out', text: 'hi\n' }, 'json')).toBe('{"tag":"out","val":"hi\\n"}\n');
    expect(formatMessage({ tag: 'err', text: 'e' }, 'json')).toBe('{"tag":"err","val":"e"}\n');
    expect(formatMessage({ tag: 'tap', value: { text: '[ 1 ]', data: [1] } }, 'json')).toBe('{"tag":"tap","val":"[ 1 ]","data":[1]}\n');
  });

  it('an exception: val the error text, data the Throwable->map with the phase as a string, exception true', () => {
    const data = throwableData({ ex: 'TypeError', message: 'x', causes: [] }, 'execution');
    const msg = JSON.parse(formatMessage({ tag: 'ret', value: jsonThrowable(data, 'Uncaught TypeError: x'), ns: 'user', form: 'f()', exception: true }, 'json'));
    expect(msg).toEqual({
      tag: 'ret',
      val: 'Uncaught TypeError: x',
      data: { via: [{ type: 'TypeError', message: 'x' }], trace: [], cause: 'x', phase: 'execution' },
      ns: 'user',
      form: 'f()',
      exception: true,
    });
  });

  it('one line per message: line breaks, U+2028/9 and lone surrogates are escaped', () => {
    const line = formatMessage({ tag: 'out', text: 'a\nb\u2028c\u2029\ud800' }, 'json');
    expect(line.indexOf('\n')).toBe(line.length - 1);
    expect(line).toBe('{"tag":"out","val":"a\\nb\\u2028c\\u2029\\ud800"}\n');
    expect(JSON.parse(line).val).toBe('a\nb\u2028c\u2029\ud800');
  });
});
