import { describe, expect, it } from 'vitest';
import { regexLiteral } from '../../src/shared/print/java-regex';

describe('regexLiteral', () => {
  it('literals, escapes, classes, groups, quantifiers and anchors become #"…"; i/m/s flags become (?ims)', () => {
    expect(regexLiteral(/a+b/)).toBe('#"a+b"');
    expect(regexLiteral(/a"b\d+/gi)).toBe('#"(?i)a\\"b\\d+"'); // `"` needs a backslash inside #"…"
    expect(regexLiteral(/^\w+@(?<host>[a-z.]+)$/ms)).toBe('#"(?ms)^\\w+@(?<host>[a-z.]+)$"');
    expect(regexLiteral(/[\]a-z-]{2,3}?(?:x|y)(?=z)(?!w)\//)).toBe('#"[\\]a-z-]{2,3}?(?:x|y)(?=z)(?!w)\\/"');
    expect(regexLiteral(/\x41\u00e9 é (a)\1 #/y)).toBe('#"\\x41\\u00e9 é (a)\\1 #"');
    expect(regexLiteral(/\\"/)).toBe('#"\\\\\\""'); // an escaped backslash, then a quote
  });

  it('JavaScript-only syntax or meaning gives undefined (the caller prints a string)', () => {
    const cases = [/a{/, /a}/, /a]/, /(?<=x)y/, /(?<!x)y/, /[^]/, /[]/, /[a&&b]/, /[[a]/, /\k<n>(?<n>x)/, /(?<my_name>x)/, /\p{L}/u, /\cJ/, /[\b]/, /\0/, /x/v];
    for (const re of cases) expect(regexLiteral(re), String(re)).toBeUndefined();
  });
});
