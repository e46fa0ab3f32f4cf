// EDN printing of JavaScript values (src/shared/print/edn-print.ts). That Clojure's own
// read-string reads all of this back as data is checked in test/interop/remote-prepl.test.ts.
import { describe, expect, it } from 'vitest';
import { ednNumber, ednString, Keyword, keywordFor, printEdn } from '../../src/shared/print/edn-print';
import { printPreplJson, printValue, resolvePrintOptions } from '../../src/shared/print/print';
import { parseEdn } from '../../src/shared/config/edn';

describe('printEdn: scalars', () => {
  it('nil, booleans', () => {
    expect(printEdn(null)).toBe('nil');
    expect(printEdn(undefined)).toBe('nil');
    expect(printEdn(true)).toBe('true');
    expect(printEdn(false)).toBe('false');
  });

  it('numbers: safe integers are longs, everything else a double; symbolic values as Clojure spells them', () => {
    const cases: Array<[number, string]> = [
      [0, '0'],
      [42, '42'],
      [-7, '-7'],
      [1.5, '1.5'],
      [-0, '-0.0'],
      [1e-7, '1e-7'],
      [5e-324, '5e-324'],
      [Number.MAX_SAFE_INTEGER, '9007199254740991'],
      [2 ** 64, '1.8446744073709552e+19'], // String() would say 18446744073709552000: another BigInt for Clojure
      [1e21, '1e+21'],
      [NaN, '##NaN'],
      [Infinity, '##Inf'],
      [-Infinity, '##-Inf'],
    ];
    for (const [n, text] of cases) {
      expect(printEdn(n), String(n)).toBe(text);
      expect(ednNumber(n)).toBe(text);
    }
  });

  it('BigInt with the N suffix', () => {
    expect(printEdn(123n)).toBe('123N');
    expect(printEdn(-5n)).toBe('-5N');
    expect(printEdn(2n ** 70n)).toBe('1180591620717411303424N');
  });

  it('strings with EDN escapes; other controls, U+2028/9 and lone surrogates as \\u; pairs and non-ASCII kept', () => {
    expect(printEdn('plain')).toBe('"plain"');
    expect(printEdn('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(printEdn('\n\t\r\b\f')).toBe('"\\n\\t\\r\\b\\f"');
    expect(printEdn('\u0000\u001f\u007f')).toBe('"\\u0000\\u001F\\u007F"');
    expect(printEdn('\u2028\u2029')).toBe('"\\u2028\\u2029"');
    expect(printEdn('x\ud800y\udc00')).toBe('"x\\uD800y\\uDC00"');
    expect(printEdn('é😀')).toBe('"é😀"');
    expect(ednString('')).toBe('""');
  });

  it('symbols and functions print as their util.inspect text, as a string', () => {
    expect(printEdn(Symbol('s'))).toBe('"Symbol(s)"');
    expect(printEdn(function named() {})).toBe('"[Function: named]"');
    expect(printEdn(class Point {})).toBe('"[class Point]"');
  });
});

describe('printEdn: collections', () => {
  it('arrays and typed arrays are vectors; holes are nil', () => {
    expect(printEdn([1, 'a', [true, null]])).toBe('[1 "a" [true nil]]');
    // eslint-disable-next-line no-sparse-arrays
    expect(printEdn([1, , 3])).toBe('[1 nil 3]');
    expect(printEdn(new Uint8Array([1, 255]))).toBe('[1 255]');
    expect(printEdn(new Float64Array([0.5, NaN]))).toBe('[0.5 ##NaN]');
    expect(printEdn(new BigInt64Array([1n]))).toBe('[1N]');
    expect(printEdn([])).toBe('[]');
  });

  it('plain objects are maps: keyword keys for simple names, string keys otherwise', () => {
    expect(printEdn({ a: 1, camelCase: 2, snake_case: 3, 'kebab-case': 4, 'dot.ted': 5, 'is?': 6 })).toBe(
      '{:a 1, :camelCase 2, :snake_case 3, :kebab-case 4, :dot.ted 5, :is? 6}',
    );
    // digits first (JS orders them first too), spaces, slashes (would be a namespace), non-ASCII, empty
    expect(printEdn({ 'x y': 1, 'a/b': 2, café: 3, '': 4, '1': 5, '-x': 6 })).toBe('{"1" 5, "x y" 1, "a/b" 2, "café" 3, "" 4, "-x" 6}');
    expect(printEdn(Object.create(null))).toBe('{}');
    expect(printEdn({ nested: { deeper: [{}] } })).toBe('{:nested {:deeper [{}]}}');
    expect(keywordFor('ok')).toBe(':ok');
    expect(keywordFor('not ok')).toBeUndefined();
  });

  it('accessor properties print as a description, and are never called', () => {
    let called = false;
    const o = {
      get g() {
        called = true;
        return 1;
      },
      set s(_v: number) {},
      get gs() {
        return 1;
      },
      set gs(_v: number) {},
    };
    expect(printEdn(o)).toBe('{:g "[Getter]", :s "[Setter]", :gs "[Getter/Setter]"}');
    expect(called).toBe(false);
  });

  it('Maps are maps with keys printed as values; Sets are sets', () => {
    expect(printEdn(new Map<unknown, unknown>([['a', 1], [2, [3]], [{ k: 1 }, null]]))).toBe('{"a" 1, 2 [3], {:k 1} nil}');
    expect(printEdn(new Set([1, 'a', null]))).toBe('#{1 "a" nil}');
    expect(printEdn(new Map())).toBe('{}');
    expect(printEdn(new Set())).toBe('#{}');
  });

  it('a Set or Map whose elements would read as equal prints as a vector (read-string rejects duplicate keys)', () => {
    expect(printEdn(new Set([1, 1n]))).toBe('[1 1N]'); // (= 1 1N)
    expect(printEdn(new Set([{}, {}]))).toBe('[{} {}]');
    expect(printEdn(new Set([{ a: 1, b: 2 }, { b: 2, a: 1 }]))).toBe('[{:a 1, :b 2} {:b 2, :a 1}]'); // equal maps
    expect(printEdn(new Set([[1], [1]]))).toBe('[[1] [1]]');
    expect(printEdn(new Map<unknown, unknown>([[[1], 'a'], [[1], 'b']]))).toBe('[[[1] "a"] [[1] "b"]]');
    expect(printEdn(new Set([{ a: 1 }, { a: 2 }]))).toBe('#{{:a 1} {:a 2}}'); // distinct: still a set
  });

  it('cycles print as "[Circular]"; shared (acyclic) values print each time', () => {
    const a: Record<string, unknown> = { n: 1 };
    a.self = a;
    expect(printEdn(a)).toBe('{:n 1, :self "[Circular]"}');
    const arr: unknown[] = [1];
    arr.push(arr);
    expect(printEdn(arr)).toBe('[1 "[Circular]"]');
    const m = new Map<string, unknown>();
    m.set('m', m);
    expect(printEdn(m)).toBe('{"m" "[Circular]"}');
    const shared = { v: 1 };
    expect(printEdn([shared, shared])).toBe('[{:v 1} {:v 1}]');
  });

  it('depth and maxArrayLength (print-level / print-length)', () => {
    expect(printEdn({ a: { b: { c: 1 } } }, { depth: 2 })).toBe('{:a {:b "[Object]"}}');
    expect(printEdn([[[1]]], { depth: 1 })).toBe('["[Array]"]');
    expect(printEdn([1, 2, 3, 4], { maxArrayLength: 2 })).toBe('[1 2 ...]');
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = [deep];
    expect(printEdn(deep)).toMatch(/^\[{64}"\[Array\]"\]{64}$/);
  });

  it('a huge sparse array stops at the default length instead of printing every hole', () => {
    const sparse: unknown[] = [];
    sparse[1e9] = 1;
    const text = printEdn(sparse);
    expect(text.endsWith(' ...]')).toBe(true);
    expect(text.length).toBeLessThan(1_000_000);
  });
});

describe('printEdn: tagged and special values', () => {
  it('Dates are #inst; invalid or out-of-range dates are strings', () => {
    expect(printEdn(new Date(0))).toBe('#inst "1970-01-01T00:00:00.000Z"');
    expect(printEdn(new Date(NaN))).toBe('"Invalid Date"');
    expect(printEdn(new Date(Date.UTC(10000, 0, 1)))).toBe('"+010000-01-01T00:00:00.000Z"');
  });

  it('RegExps Java reads the same way are #"…" (prepl/java-regex.ts); the rest are strings', () => {
    expect(printEdn(/a"b\d+/gi)).toBe('#"(?i)a\\"b\\d+"');
    expect(printEdn(/(?<=x)y/)).toBe('"/(?<=x)y/"');
  });

  it('Errors print as their Throwable->map (no :phase: returned, not thrown)', () => {
    const err = new TypeError('outer', { cause: new RangeError('inner') });
    const data = parseEdn(printEdn(err)) as { via: Array<Record<string, unknown>>; trace: unknown[]; cause: string; phase?: unknown };
    expect(data.via.map((v) => [v.type, v.message])).toEqual([['TypeError', 'outer'], ['RangeError', 'inner']]);
    expect(data.cause).toBe('inner');
    expect(data.trace.length).toBeGreaterThan(0);
    expect(data.via[0].at).toEqual(data.trace[0]);
    expect(data.phase).toBeUndefined();
  });

  it('class instances, promises, boxed primitives, proxies: util.inspect text as a string', () => {
    class P {
      x = 1;
    }
    expect(printEdn(new P())).toBe('"P { x: 1 }"');
    expect(printEdn(Promise.resolve(1))).toBe('"Promise { 1 }"');
    expect(printEdn(Object(1))).toBe('"[Number: 1]"');
    expect(printEdn(new Proxy({ a: 1 }, {}))).toBe('"{ a: 1 }"');
    expect(printEdn(new WeakMap())).toBe('"WeakMap { <items unknown> }"');
  });

  it('Keyword values (the agent’s own data) print as keywords', () => {
    expect(printEdn({ phase: new Keyword('execution') })).toBe('{:phase :execution}');
    expect(printEdn(new Map([[new Keyword('clojure.error/line'), 3]]))).toBe('{:clojure.error/line 3}');
  });

  it('never throws: a throwing custom inspector or Proxy trap still gives one readable form', () => {
    const hostile = new Proxy(
      {},
      {
        getPrototypeOf() {
          throw new Error('trap');
        },
      },
    );
    const text = printEdn([hostile]);
    expect(typeof text).toBe('string');
    expect(() => parseEdn(text)).not.toThrow();
    class Bad {
      [Symbol.for('nodejs.util.inspect.custom')]() {
        throw new Error('no inspect');
      }
    }
    expect(() => parseEdn(printEdn(new Bad()))).not.toThrow();
  });

  it('everything prints as exactly one form our EDN reader accepts', () => {
    const values = [{ a: [1, { b: new Set(['x']) }], d: new Date(1), m: new Map([[1, 2]]) }, 'x\ny', [null, undefined, 1.5]];
    for (const v of values) expect(() => parseEdn(printEdn(v))).not.toThrow();
  });
});

describe('the printers in eval/print.ts', () => {
  it('edn and nrepl-ts/edn resolve to the EDN printer (nREPL clients may ask for it too)', () => {
    expect(resolvePrintOptions({ 'nrepl.middleware.print/print': 'edn' }).printer).toBe('edn');
    expect(resolvePrintOptions({ 'nrepl.middleware.print/print': 'nrepl-ts/edn' }).printer).toBe('edn');
    expect(printValue({ a: [1, 2] }, { printer: 'edn', options: {} })).toEqual({ text: '{:a [1 2]}' });
  });

  it('nrepl-ts/prepl-json prints the inspect text and the JSON data as one JSON text', () => {
    expect(resolvePrintOptions({ 'nrepl.middleware.print/print': 'nrepl-ts/prepl-json' }).printer).toBe('prepl-json');
    expect(JSON.parse(printValue({ a: [1, 2] }, { printer: 'prepl-json', options: {} }).text)).toEqual({ val: '{ a: [ 1, 2 ] }', data: { a: [1, 2] } });
    expect(JSON.parse(printPreplJson(undefined))).toEqual({ val: 'undefined' });
    expect(JSON.parse(printPreplJson(10n))).toEqual({ val: '10n' });
    expect(JSON.parse(printPreplJson('x'.repeat(20_000))).val).toHaveLength(20_002); // strings whole, as nREPL values
  });
});
