// The pure planning half of src/main/eval/scope.ts: which names an eval binds and
// the text around its code. Compiled and run with vm where behaviour matters.
import { describe, expect, it } from 'vitest';
import * as vm from 'node:vm';
import { BUILTIN_NAMES, hasUseStrict, mentionedNames, planScope, SCOPE_KEY, scopeObjects, type ScopeSource } from '../../src/main/eval/scope';

const noGlobals = () => false;

describe('mentionedNames', () => {
  it('finds identifiers, not properties, quoted module names or longer words', () => {
    expect([...mentionedNames('_ + $1 + fs.x + a.path + "util" + require("node:os") + _error + __ + $10 + [...events]')].sort()).toEqual(
      ['$1', '_', '_error', 'events', 'fs', 'require'].sort(),
    );
  });
});

describe('hasUseStrict', () => {
  it('sees a "use strict" directive after comments and other directives only', () => {
    expect(hasUseStrict('"use strict"; _')).toBe(true);
    expect(hasUseStrict("// c\n/* d */ 'a'; 'use strict'\n_")).toBe(true);
    expect(hasUseStrict('x; "use strict"')).toBe(false);
    expect(hasUseStrict('("use strict")')).toBe(false);
    // Long blank runs (stripped TypeScript is full of them) with no directive: answered, not backtracked for ever.
    expect(hasUseStrict(`${' '.repeat(80)}x\n${' '.repeat(80)}y`)).toBe(false);
    expect(hasUseStrict(`${' '.repeat(80)}\n  'use strict'`)).toBe(true);
  });
});

describe('planScope', () => {
  it('binds nothing when nothing is mentioned, or the app has it, or the code declares it', () => {
    expect(planScope('1 + 1', [], noGlobals)).toBeUndefined();
    expect(planScope('_ + 1', [], (n) => n === '_')).toBeUndefined();
    expect(planScope('var path = require("path")', ['path'], noGlobals)?.modules).toEqual([]);
    expect(planScope('"use strict"; _', [], noGlobals)).toBeUndefined();
  });

  it('binds session names as lets and built-in names through with, only when mentioned', () => {
    const plan = planScope('fs.existsSync(_)', [], noGlobals)!;
    expect(plan.values).toEqual(['_']);
    expect(plan.modules).toEqual(['fs']);
    expect(plan.prefix).not.toContain('\n');
    expect(plan.suffix).toBe('\n}');
  });

  it('offers built-in names without internals, subpaths or module', () => {
    expect(BUILTIN_NAMES).toContain('fs');
    expect(BUILTIN_NAMES.some((n) => n.startsWith('_') || n.includes('/') || n === 'module')).toBe(false);
  });
});

describe('the wrapper, compiled', () => {
  const source: ScopeSource = {
    lastValue: () => 41,
    lastValues: () => [41, 40, 39],
    lastError: () => 'boom',
    readLine: () => () => Promise.resolve(null),
    stdin: () => undefined,
    require,
    module: { exports: {} },
  };
  const run = (code: string, declared: string[] = []) => {
    const plan = planScope(code, declared, (n) => n in globalThis)!;
    const g = globalThis as Record<symbol, unknown>;
    g[SCOPE_KEY] = scopeObjects(plan, source);
    try {
      return vm.runInThisContext(plan.prefix + code + plan.suffix, { filename: 'scope-test', columnOffset: -plan.prefix.length });
    } finally {
      delete g[SCOPE_KEY];
    }
  };

  it('gives the values, the lazy modules and keeps var declarations global', () => {
    expect(run('var scopeT1 = _ + 1; scopeT1 + $3 + path.sep.length', ['scopeT1'])).toBe(42 + 39 + 1);
    expect((globalThis as Record<string, unknown>).scopeT1).toBe(42);
    expect('_' in globalThis || 'path' in globalThis).toBe(false);
  });

  it("keeps the user's columns on the first line", () => {
    let stack = '';
    try {
      run('_; null.x');
    } catch (e) {
      stack = String((e as Error).stack);
    }
    expect(stack).toMatch(/scope-test:1:9\b/);
  });
});
