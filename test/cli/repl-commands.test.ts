// The pure half of `nrepl-ts connect`'s commands and prompt (src/cli/repl-commands.ts)
// and of the app name describe reports (src/nrepl/app-name.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { promptName, replCommand } from '../../src/cli/repl-commands';
import { appNameFor } from '../../src/worker/nrepl/app-name';
import { tempDir } from '../helpers/agent';

describe('replCommand', () => {
  it('knows node REPL commands at the start of an entry, and :repl/quit', () => {
    expect(replCommand('.exit', 'js', false)).toBe('exit');
    expect(replCommand('  .help ', 'js', false)).toBe('help');
    expect(replCommand('.editor', 'js', false)).toBe('editor');
    expect(replCommand(':repl/quit', 'js', false)).toBe('exit');
    expect(replCommand(':repl/quit', 'lisp', true)).toBe('exit');
    expect(replCommand('.break', 'js', true)).toBe('break');
  });

  it('leaves code alone: inside an entry, other dot words, and Lisp servers', () => {
    expect(replCommand('.exit', 'js', true)).toBeUndefined();
    expect(replCommand('.map(f)', 'js', true)).toBeUndefined();
    expect(replCommand('.load x.js', 'js', false)).toBeUndefined();
    expect(replCommand('.help', 'lisp', false)).toBeUndefined();
    expect(replCommand('exit', 'js', false)).toBeUndefined();
  });
});

describe('promptName', () => {
  it("is the app's name for the default ns, the ns when it is a file, and the ns for Lisp", () => {
    expect(promptName('user', 'js', 'todo-api')).toBe('todo-api');
    expect(promptName('./src/app.js', 'js', 'todo-api')).toBe('./src/app.js');
    expect(promptName('user', 'js', undefined)).toBe('js');
    expect(promptName('user', 'lisp', 'todo-api')).toBe('user');
  });
});

describe('appNameFor', () => {
  it('reads the nearest package.json name, else the script name', () => {
    const dir = tempDir('nrepl-app-name-');
    mkdirSync(join(dir, 'app', 'src'), { recursive: true });
    writeFileSync(join(dir, 'app', 'package.json'), JSON.stringify({ name: '@acme/todo-api' }));
    writeFileSync(join(dir, 'app', 'src', 'package.json'), JSON.stringify({ type: 'module' }));
    expect(appNameFor(join(dir, 'app', 'src', 'server.mjs'))).toBe('@acme/todo-api');
    expect(appNameFor(undefined)).toBe('node');
  });
});
