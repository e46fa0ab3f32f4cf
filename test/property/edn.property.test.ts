// Property tests of the EDN reader (src/shared/config/edn.ts), which reads every
// NREPL_SERVER_* value and .nrepl.edn file before the app starts:
// - random EDN values, printed with random spacing, commas, comments,
//   discarded forms, metadata and tags, read back to the expected JS data;
// - arbitrary text never makes parseEdn throw anything but EdnSyntaxError,
//   with a position inside the text;
// - nothing a user can write makes it overflow the stack.
import { describe, expect, it } from 'vitest';
import { EdnSyntaxError, parseEdn } from '../../src/shared/config/edn';
import { fc, runs } from './fc';

/** A printed form and the value parseEdn must give for it. */
interface Form {
  text: string;
  value: unknown;
}

const space = fc.constantFrom(' ', ',', '\n', '\t', ', ', ' ; a comment\n', '\r\n', ' #_ :gone ', ' #_[1 2] ');
const sep = fc.array(space, { minLength: 1, maxLength: 3 }).map((s) => s.join(''));

const SYMBOL_START = 'abcxyzABCXYZéλ*!_?<>=&%$|'.split('');
const SYMBOL_REST = [...SYMBOL_START, ...'0123456789+-.:#\'/'.split('')];
const RESERVED = new Set(['nil', 'true', 'false']);

/** A symbol name the reader accepts: not a number, not nil/true/false. */
const symbolName = fc
  .tuple(
    fc.oneof(fc.constantFrom(...SYMBOL_START), fc.constantFrom('-', '+', '.').map((c) => `${c}a`)),
    fc.array(fc.constantFrom(...SYMBOL_REST), { maxLength: 8 }),
  )
  .map(([first, rest]) => first + rest.join(''))
  .filter((s) => !RESERVED.has(s));

/** Prints a string literal, choosing among the escapes the reader knows. */
const stringForm: fc.Arbitrary<Form> = fc
  .tuple(fc.oneof(fc.string({ maxLength: 16 }), fc.string({ unit: 'binary', maxLength: 8 }), fc.string({ unit: 'grapheme', maxLength: 6 })), fc.array(fc.boolean(), { maxLength: 20 }))
  .map(([s, useU]) => {
    let text = '"';
    let i = 0;
    for (const unit of s) {
      for (let k = 0; k < unit.length; k++) {
        const code = unit.charCodeAt(k);
        const c = unit[k];
        if (useU[i++ % Math.max(1, useU.length)] === true && useU.length > 0) text += `\\u${code.toString(16).padStart(4, '0')}`;
        else if (c === '"') text += '\\"';
        else if (c === '\\') text += '\\\\';
        else if (c === '\n') text += '\\n';
        else text += c;
      }
    }
    return { text: `${text}"`, value: s };
  });

const intForm: fc.Arbitrary<Form> = fc.tuple(fc.maxSafeInteger(), fc.constantFrom('', 'N', 'hex', '+')).map(([n, style]) => {
  if (style === 'hex') return { text: `${n < 0 ? '-' : ''}0x${Math.abs(n).toString(16)}`, value: n === 0 ? 0 : n };
  if (style === '+' && n >= 0) return { text: `+${n}`, value: n };
  return { text: `${n}${style === 'N' ? 'N' : ''}`, value: n };
});

const floatForm: fc.Arbitrary<Form> = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => (Object.is(d, -0) ? 0 : d)).map((d) => ({ text: String(d), value: d })),
  fc.constantFrom<Form>({ text: '##Inf', value: Infinity }, { text: '##-Inf', value: -Infinity }, { text: '##NaN', value: NaN }, { text: '1.5M', value: 1.5 }, { text: '2.', value: 2 }),
);

const charForm: fc.Arbitrary<Form> = fc.oneof(
  fc.constantFrom(...'azAZ09(){}[]"\\;^#,.:+-'.split(''), 'é', '😀').map((c) => ({ text: `\\${c}`, value: c })),
  fc.constantFrom<Form>({ text: '\\newline', value: '\n' }, { text: '\\space', value: ' ' }, { text: '\\tab', value: '\t' }, { text: '\\return', value: '\r' }, { text: '\\u00e9', value: 'é' }),
);

const atom: fc.Arbitrary<Form> = fc.oneof(
  fc.constantFrom<Form>({ text: 'nil', value: null }, { text: 'true', value: true }, { text: 'false', value: false }),
  intForm,
  floatForm,
  stringForm,
  symbolName.map((s) => ({ text: s, value: s })),
  symbolName.map((s) => ({ text: `:${s}`, value: s })),
  fc.constantFrom<Form>({ text: '/', value: '/' }),
  charForm,
  stringForm.map((f) => ({ text: `#inst ${f.text}`, value: f.value })),
  stringForm.map((f) => ({ text: `#uuid${' '}${f.text}`, value: f.value })),
);

/** What parseEdn makes of a map key (mirrors the documented rule: names as is, others printed). */
function keyOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null) return 'nil';
  return String(value);
}
const keyForm: fc.Arbitrary<Form> = fc.oneof(
  stringForm,
  symbolName.map((s) => ({ text: `:${s}`, value: s })),
  symbolName.map((s) => ({ text: s, value: s })),
  intForm.filter((f) => !/^[+-]|0x/.test(f.text)),
  fc.constantFrom<Form>({ text: 'nil', value: null }, { text: 'true', value: true }),
);

function joinForms(open: string, close: string, parts: Form[], seps: string[]): string {
  return open + parts.map((p, i) => (i === 0 ? '' : seps[i % seps.length] ?? ' ') + p.text).join('') + close;
}

const { form } = fc.letrec<{ form: Form }>((tie) => {
  const items = fc.tuple(fc.array(tie('form'), { maxLength: 4 }), fc.array(sep, { minLength: 1, maxLength: 4 }));
  const seq = fc.oneof(
    items.map(([xs, seps]) => ({ text: joinForms('[', ']', xs, seps), value: xs.map((x) => x.value) })),
    items.map(([xs, seps]) => ({ text: joinForms('(', ')', xs, seps), value: xs.map((x) => x.value) })),
    items.map(([xs, seps]) => ({ text: joinForms('#{', '}', xs, seps), value: xs.map((x) => x.value) })),
  );
  const map = fc
    .tuple(fc.uniqueArray(fc.tuple(keyForm, tie('form')), { maxLength: 4, selector: ([k]) => keyOf(k.value) }), fc.array(sep, { minLength: 1, maxLength: 4 }))
    .map(([pairs, seps]) => {
      const value: Record<string, unknown> = {};
      for (const [k, v] of pairs) Object.defineProperty(value, keyOf(k.value), { value: v.value, enumerable: true, writable: true, configurable: true });
      const flat = pairs.flatMap(([k, v]) => [k, v]);
      return { text: joinForms('{', '}', flat, seps), value };
    });
  const withMeta = fc.tuple(fc.constantFrom('^:private ', '^{:doc "d"} ', '^String '), tie('form')).map(([m, f]) => ({ text: m + f.text, value: f.value }));
  return { form: fc.oneof({ depthSize: 'small', withCrossShrink: true }, atom, seq, map, withMeta) };
});

function expectSyntaxErrorOrValue(text: string): void {
  try {
    parseEdn(text, { allowEmpty: true });
  } catch (err) {
    if (!(err instanceof EdnSyntaxError)) throw new Error(`parseEdn(${JSON.stringify(text.slice(0, 200))}) threw ${String(err)}, not an EdnSyntaxError`);
    expect(err.line).toBeGreaterThanOrEqual(1);
    expect(err.column).toBeGreaterThanOrEqual(1);
    expect(err.line).toBeLessThanOrEqual(text.split('\n').length);
    expect(err.message).toContain(err.reason);
  }
}

describe('parseEdn round trip', () => {
  it('reads back every printed EDN value, however it is spaced, commented and decorated', () => {
    fc.assert(
      fc.property(form, sep, sep, (f, before, after) => {
        expect(parseEdn(before + f.text + after)).toEqual(f.value);
      }),
      { numRuns: runs(800) },
    );
  });

  it('a second form after the first is a syntax error', () => {
    fc.assert(
      fc.property(form, form, (a, b) => {
        expect(() => parseEdn(`${a.text} ${b.text}`)).toThrow(EdnSyntaxError);
      }),
      { numRuns: runs(200) },
    );
  });

  it('any prefix of a printed collection that leaves it open is a syntax error', () => {
    fc.assert(
      fc.property(form.filter((f) => /^[[({#^]/.test(f.text) && !f.text.startsWith('##') && !f.text.startsWith('#inst') && !f.text.startsWith('#uuid')), fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), (f, where) => {
        const cut = Math.floor(where * f.text.length);
        const prefix = f.text.slice(0, cut);
        // A cut inside a leading comment or after a complete nested form can still be an open collection.
        expectSyntaxErrorOrValue(prefix);
        if (cut > 0 && /^[[({]/.test(f.text)) expect(() => parseEdn(prefix)).toThrow(EdnSyntaxError);
      }),
      { numRuns: runs(300) },
    );
  });
});

describe('parseEdn on arbitrary text', () => {
  it('random strings give a value or an EdnSyntaxError with a position in the text, nothing else', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 40 })), (text) => expectSyntaxErrorOrValue(text)),
      { numRuns: runs(1000) },
    );
  });

  it('EDN token soup gives a value or an EdnSyntaxError, nothing else', () => {
    const token = fc.constantFrom('{', '}', '[', ']', '(', ')', '#{', '#_', '#', '##', '^', ':', '::a', '"', '\\', '\\u', '\\u00', ';', '\n', ' ', ',', 'nil', 'true', '1', '-', '+', '0x', '1.5e', 'N', 'M', ':port', 'a/b', '/', '#inst', '#uuid', '#foo', '"s"', '\\newline', '\\"');
    fc.assert(
      fc.property(fc.array(token, { maxLength: 40 }), (tokens) => expectSyntaxErrorOrValue(tokens.join(''))),
      { numRuns: runs(1500) },
    );
  });

  it('a mutated printed value gives a value or an EdnSyntaxError, nothing else', () => {
    fc.assert(
      fc.property(form, fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), fc.string({ maxLength: 2 })), { minLength: 1, maxLength: 3 }), (f, edits) => {
        let text = f.text;
        for (const [where, insert] of edits) {
          const i = Math.floor(where * (text.length + 1));
          text = text.slice(0, i) + insert + text.slice(i + 1);
        }
        expectSyntaxErrorOrValue(text);
      }),
      { numRuns: runs(600) },
    );
  });

  it('deep nesting of collections is an EdnSyntaxError, not a stack overflow', () => {
    fc.assert(
      fc.property(fc.constantFrom('[', '(', '{', '#{', '{:a '), fc.integer({ min: 400, max: 50_000 }), (open, depth) => expectSyntaxErrorOrValue(open.repeat(depth))),
      { numRuns: runs(30) },
    );
  });

  // `#_`, `^meta` and `#inst`/`#uuid` read their next form recursively; they count as nesting,
  // so a long chain is an EdnSyntaxError (too deep), never a RangeError from the stack.
  it('chains of #_, ^meta or #inst are an EdnSyntaxError or a value, not a stack overflow', () => {
    fc.assert(
      fc.property(fc.constantFrom('#_', '^:a ', '^{} ', '#inst ', '#uuid '), fc.integer({ min: 20_000, max: 60_000 }), (link, n) =>
        expectSyntaxErrorOrValue(`${link.repeat(n)}"x"`),
      ),
      { numRuns: runs(10) },
    );
  });
});
