/**
 * RegExp → Clojure regex literal `#"…"`, only when Java's regex engine
 * (java.util.regex.Pattern, which Clojure's reader compiles the literal with)
 * reads the pattern as JavaScript does. A conservative whitelist: literals,
 * common escapes, character classes, groups (non-capturing, lookahead, named
 * with alphanumeric names), quantifiers and anchors. Everything else —
 * lookbehind (bounded only in Java), `[^]`, `[]`, `&&` and nested `[` in
 * classes, Annex B oddities like `/a{/` or `/]/`, `\p{…}`, `\k<…>`, the `v`
 * flag — gives undefined, and the caller prints a string instead.
 *
 * Pure; never throws.
 */

// A conservative subset of regex syntax that Java's Pattern reads as JavaScript does.
const SAFE_ESCAPE = /^\\(?:[dDwWsSbBnrtf\\/.*+?()[\]{}|^$\-]|x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|[1-9])/;
const SAFE_CLASS_ESCAPE = /^\\(?:[dDwWsSnrtf\\/.*+?()[\]{}|^$\-]|x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4})/;
const SAFE_FLAGS = /^[dgimsuy]*$/;

/** `#"…"` for a RegExp Java reads the same way, else undefined. Flags i, m and s become an inline `(?ims)`. */
export function regexLiteral(re: RegExp): string | undefined {
  let source: string;
  let flags: string;
  try {
    source = re.source;
    flags = re.flags;
  } catch {
    return undefined;
  }
  if (!SAFE_FLAGS.test(flags) || !javaCompatible(source)) return undefined;
  const inline = [...'ims'].filter((f) => flags.includes(f)).join('');
  // In #"…" a backslash escapes the next character for the reader and stays in the pattern, so only `"` needs one.
  let body = '';
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      body += source.slice(i, i + 2);
      i++;
    } else body += c === '"' ? '\\"' : c;
  }
  return `#"${inline ? `(?${inline})` : ''}${body}"`;
}

function javaCompatible(source: string): boolean {
  let i = 0;
  let inClass = false;
  let classStart = false;
  while (i < source.length) {
    const rest = source.slice(i);
    const c = source[i];
    if (c === '\\') {
      const m = (inClass ? SAFE_CLASS_ESCAPE : SAFE_ESCAPE).exec(rest);
      if (!m) return false;
      i += m[0].length;
      classStart = false;
      continue;
    }
    if (/[\u0000-\u001f\u007f]/.test(c)) return false;
    if (inClass) {
      if (c === '[' || (c === '&' && source[i + 1] === '&')) return false; // Java: nested class / intersection
      if (c === ']') {
        if (classStart) return false; // [] and [^] mean something else in Java
        inClass = false;
      }
      classStart = false;
      i += 1;
      continue;
    }
    if (c === '[') {
      inClass = true;
      classStart = true;
      i += source[i + 1] === '^' ? 2 : 1;
      continue;
    }
    if (c === '(') {
      const group = /^\((?:\?(?::|=|!|<[A-Za-z][A-Za-z0-9]*>))?/.exec(rest)!;
      if (rest.startsWith('(?') && group[0] === '(') return false; // lookbehind, other (?…) forms
      i += group[0].length;
      continue;
    }
    if (c === '{') {
      const q = /^\{\d+(?:,\d*)?\}/.exec(rest);
      if (!q) return false;
      i += q[0].length;
      continue;
    }
    if (c === '}' || c === ']') return false; // Java: unbalanced; JavaScript (Annex B): literal
    i += 1;
  }
  return !inClass;
}
