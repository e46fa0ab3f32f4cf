// Completion as node's own REPL offers it (issue 11): members of literals and
// of what built-in methods return (literal-type.ts), module names from the
// node_modules chain and relative paths and nothing else inside a module
// string (module-names.ts), the REPL conveniences as the evaluated code sees
// them (completion-sources.ts), and the cached index of a big global object
// (name-index.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { completions, type Completion, type CompletionSource } from '../../src/main/tooling/complete';
import { typedMember } from '../../src/main/tooling/literal-type';
import { moduleStringCompletions } from '../../src/shared/module-names';
import { conveniencesSource } from '../../src/main/tooling/completion-sources';
import { EvalSession } from '../../src/main/eval/sessions';
import { invalidateNameIndex, ownNamesMatching } from '../../src/main/tooling/name-index';
import { tempDir } from '../helpers/agent';

const names = (list: Completion[]) => list.map((c) => c.candidate);

describe('members of literals and of built-in results', () => {
  it.each([
    ["'abc'.toUpp", 'string'],
    ['"a b".spl', 'string'],
    ['`x${1}`.pad', 'string'],
    ['[1, [2, 3]].ma', 'array'],
    ['x = [].fil', 'array'],
    ['1.5.toF', 'number'],
    ['1..toF', 'number'],
    ['(1).toF', 'number'],
    ['10n.toS', 'bigint'],
    ['true.toS', 'boolean'],
    ['/a+/g.te', 'regexp'],
    ['({ a: 1 }).hasOwn', 'object'],
    ["'a,b'.split(',').jo", 'array'],
    ["' x '.trim().toUpperCase().len", 'string'],
    ["'abc'.length.toF", 'number'],
    ['[1, 2].map((x) => x * 2).join("-").spl', 'string'],
    ['Object.keys(process).fil', 'array'],
    ['JSON.stringify({}).len', 'string'],
    ['new Map().se', 'new Map'],
    ['new Date().getT', 'new Date'],
  ])('%s is a %s', (text, type) => {
    expect(typedMember(text)?.type).toBe(type);
  });

  it.each(['store.list()[0].na', 'arr[0].x', 'f().x', "'abc'[0].x", 'f(1)(2).x', '(a + "b").x', 'a.b', '1.toF', "'abc'.foo().x", 'new Thing().x'])(
    '%s has no known type',
    (text) => {
      expect(typedMember(text)).toBeUndefined();
    },
  );

  it('completes them with the full replacement text, never calling anything', () => {
    let called = 0;
    const root = { store: { list: () => (called++, [{ name: 'x' }]) } };
    expect(names(completions("'abc'.toUpp", { root }))).toEqual(["'abc'.toUpperCase"]);
    expect(names(completions('[1,2].fla', { root }))).toEqual(['[1,2].flat', '[1,2].flatMap']);
    expect(completions("'a'.trim().len", { root })).toEqual([{ candidate: "'a'.trim().length", type: 'property' }]);
    expect(names(completions('new Map().has', { root }))).toEqual(['new Map().has', 'new Map().hasOwnProperty']);
    expect(completions('store.list()[0].na', { root })).toEqual([]);
    expect(called).toBe(0);
  });
});

describe('module strings', () => {
  function app(): string {
    const dir = tempDir('nrepl-complete-');
    for (const pkg of ['express', 'express-session', '@scope/tool', '.bin']) mkdirSync(join(dir, 'node_modules', pkg), { recursive: true });
    mkdirSync(join(dir, 'src', 'routes'), { recursive: true });
    writeFileSync(join(dir, 'src', 'store.js'), '');
    writeFileSync(join(dir, 'src', 'store.ts'), '');
    writeFileSync(join(dir, 'src', 'notes.txt'), '');
    writeFileSync(join(dir, 'src', '.hidden.js'), '');
    mkdirSync(join(dir, 'src', 'node_modules', 'local-only'), { recursive: true });
    return dir;
  }

  it("offers the app's packages, then built-ins, and never a keyword", () => {
    const dir = app();
    expect(names(moduleStringCompletions("require('exp", dir)!)).toEqual(["require('express", "require('express-session"]);
    expect(names(moduleStringCompletions("import x from '@sc", dir)!)).toEqual(["import x from '@scope/tool"]);
    const fs = names(moduleStringCompletions('await import("fs', dir)!);
    expect(fs).toContain('await import("fs');
    expect(fs).toContain('await import("fs/promises');
    expect(names(moduleStringCompletions("require('.b", dir)!)).toEqual([]);
  });

  it('looks in every node_modules from the ns folder up', () => {
    const dir = app();
    expect(names(moduleStringCompletions("require('loc", join(dir, 'src'))!)).toEqual(["require('local-only"]);
    expect(names(moduleStringCompletions("require('loc", dir)!)).toEqual([]);
    expect(names(moduleStringCompletions("require('express-s", join(dir, 'src', 'store.js'))!)).toEqual(["require('express-session"]);
  });

  it('completes relative paths: folders and module files only', () => {
    const dir = app();
    expect(names(moduleStringCompletions("require('./src/", dir)!)).toEqual([
      "require('./src/node_modules/",
      "require('./src/routes/",
      "require('./src/store.js",
      "require('./src/store.ts",
    ]);
    expect(names(moduleStringCompletions("from './sto", join(dir, 'src'))!)).toEqual(["from './store.js", "from './store.ts"]);
    expect(names(moduleStringCompletions("require('./src/.h", dir)!)).toEqual(["require('./src/.hidden.js"]);
    expect(names(moduleStringCompletions("require('.", dir)!)).toEqual(["require('./", "require('../"]);
  });

  it('is undefined outside a module string, and completions() offers nothing but module names inside one', () => {
    expect(moduleStringCompletions('exp', undefined)).toBeUndefined();
    expect(moduleStringCompletions("x('exp", undefined)).toBeUndefined();
    const dir = app();
    const list = completions("require('exp", { ns: dir, root: { exports: 1, expect: 2 } });
    expect(list.every((c) => c.type === 'module')).toBe(true);
    expect(names(list)).not.toContain("require('export");
  });
});

describe('the REPL conveniences as the evaluated code sees them', () => {
  it('completes _, $1, fs and their members from the session, not from globals', () => {
    const session = new EvalSession();
    session.remember({ name: 'todo', nameLength: 4 });
    const root = Object.create(null) as object;
    const sources: CompletionSource[] = [conveniencesSource(session, root)];
    expect(completions('_.na', { root, sources })).toEqual([
      { candidate: '_.name', type: 'property' },
      { candidate: '_.nameLength', type: 'property' },
    ]);
    expect(names(completions('$', { root, sources }))).toEqual(expect.arrayContaining(['$1', '$2', '$3', '$e', '$readLine', '$stdin']));
    expect(completions('fs', { root, sources })).toContainEqual({ candidate: 'fs', type: 'module' });
    expect(names(completions('fs.readFileS', { root, sources }))).toEqual(['fs.readFileSync']);
    expect(completions('domain.c', { root, sources })).toEqual([]);
  });

  it('leaves a name to the app when the app has a global of it', () => {
    const root = { _: { own: 1 } };
    const sources = [conveniencesSource(new EvalSession(), root)];
    expect(names(completions('_.', { root, sources }))).toContain('_.own');
    expect(names(completions('_', { root, sources }))).toEqual(['_', '_error']);
  });
});

describe('the index of a big global object', () => {
  it('finds new names after invalidation and never offers a deleted one', () => {
    const root: Record<string, number> = {};
    for (let i = 0; i < 5000; i++) root[`value_${i}`] = i;
    root.probe = 1;
    let listed = 0;
    const list = (o: object) => (listed++, Object.getOwnPropertyNames(o));
    invalidateNameIndex();
    expect(ownNamesMatching(root, 'pro', list)).toEqual(['probe']);
    root.process2 = 2;
    delete root.probe;
    expect(ownNamesMatching(root, 'pro', list)).toEqual([]);
    expect(listed).toBe(1);
    invalidateNameIndex();
    expect(ownNamesMatching(root, 'pro', list)).toEqual(['process2']);
    expect(listed).toBe(2);
    expect(ownNamesMatching({ a: 1 }, 'a', list)).toBeUndefined();
  });
});
