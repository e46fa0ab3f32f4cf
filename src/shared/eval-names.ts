/**
 * Names both threads agree on about how evaluated code is wrapped: the
 * block binding of a namespace (the worker's transform writes declarations
 * through it; the main thread's scope binds it), and whether code opts out
 * of wrapping with a "use strict" directive (the worker decides how to
 * rewrite, the main thread whether to wrap). Pure.
 */

/** The block binding through which namespaced code (worker/eval/transform.ts) writes its declarations. */
export const NS_BINDING = '__nrepl_ns';

// One whitespace character per step: `(?:\s+)*` backtracks exponentially on long blank runs that end in no directive.
const DIRECTIVE = /^(?:\s|\/\/[^\n\r\u2028\u2029]*|\/\*[\s\S]*?\*\/)*(?:'((?:[^'\\\n\r]|\\.)*)'|"((?:[^"\\\n\r]|\\.)*)")\s*;?/;

/** True when the code's directive prologue holds "use strict" (then it must not be wrapped). */
export function hasUseStrict(code: string): boolean {
  let rest = code;
  for (;;) {
    const match = DIRECTIVE.exec(rest);
    if (!match) return false;
    if ((match[1] ?? match[2]) === 'use strict') return true;
    rest = rest.slice(match[0].length);
  }
}
