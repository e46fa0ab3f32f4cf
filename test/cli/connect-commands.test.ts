// `nrepl-ts connect` as node's REPL (issue 11), in a real terminal (tmux):
// the app's name as the prompt, `.help`, `.editor`, `.exit`, `:repl/quit`,
// `_` as the last value without touching an app's own `_`, and Tab that
// knows the context (module names inside `require('`, a literal's methods).
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPS, spawnWithAgent, tempDir, waitForNreplPort } from '../helpers/agent';
import { runCli, Tmux } from './helpers';

/** An Express-style app folder: package.json named todo-api, installed packages, a store module. */
async function todoApp(args: string[] = []): Promise<{ cwd: string }> {
  const cwd = tempDir('nrepl-cli-todo-');
  writeFileSync(join(cwd, 'package.json'), JSON.stringify({ name: 'todo-api', private: true }));
  for (const pkg of ['express', 'express-session']) {
    mkdirSync(join(cwd, 'node_modules', pkg), { recursive: true });
    writeFileSync(join(cwd, 'node_modules', pkg, 'index.js'), 'module.exports = {};');
  }
  writeFileSync(join(cwd, 'store.js'), 'exports.todos = [];');
  copyFileSync(join(APPS, 'globals-app.cjs'), join(cwd, 'server.cjs'));
  await waitForNreplPort(spawnWithAgent({ cwd, app: join(cwd, 'server.cjs'), args }));
  return { cwd };
}

describe('nrepl-ts connect, node REPL commands', () => {
  it("shows the app's name as the prompt and handles .help, .editor and .exit", async () => {
    const { cwd } = await todoApp();
    const term = new Tmux(['connect'], { cwd });
    await term.waitFor(/^todo-api>$/m);
    term.line('.help');
    await term.waitFor(/^\.editor {3}Enter editor mode[^\n]*\n[\s\S]*todo-api>$/m);
    term.line('.editor');
    await term.waitFor(/Entering editor mode/);
    term.line('const a = 20');
    term.keys('a * 2 + 2', 'C-d');
    await term.waitFor(/^42\ntodo-api>$/m);
    term.line('.exit');
    await term.waitFor(/\[exit 0\]/);
    expect(term.screen()).not.toContain('SyntaxError');
  });

  it('.editor is dropped by Ctrl-C; :repl/quit leaves', async () => {
    const { cwd } = await todoApp();
    const term = new Tmux(['connect'], { cwd });
    await term.waitFor(/^todo-api>$/m);
    term.line('.editor');
    await term.waitFor(/Entering editor mode/);
    term.keys('throw new Error("never sent")', 'C-c');
    await term.waitFor(/^todo-api>$/m);
    term.line(':repl/quit');
    await term.waitFor(/\[exit 0\]/);
    expect(term.screen()).not.toMatch(/never sent\n|Error:/);
  });

  it("Tab completes the app's packages inside require(' and a string literal's methods", async () => {
    const { cwd } = await todoApp();
    const term = new Tmux(['connect'], { cwd });
    await term.waitFor(/^todo-api>$/m);
    term.keys("require('express-s", 'Tab');
    await term.waitFor(/^todo-api> require\('express-session$/m);
    term.keys("')", 'Enter');
    await term.waitFor(/^\{\}\ntodo-api>$/m);
    term.keys("require('./st", 'Tab');
    await term.waitFor(/^todo-api> require\('\.\/store\.js$/m);
    term.keys("').todos", 'Enter');
    await term.waitFor(/^\[\]\ntodo-api>$/m);
    term.keys("'abc'.toUpp", 'Tab');
    await term.waitFor(/^todo-api> 'abc'\.toUpperCase$/m);
    term.keys('()', 'Enter');
    await term.waitFor(/^'ABC'\ntodo-api>$/m);
  });
});

describe('nrepl-ts connect, _ (piped input)', () => {
  it('is the last value when the app has no _', async () => {
    const { cwd } = await todoApp();
    const r = await runCli(['connect'], { cwd, input: '20 + 1\n_ * 2\ntypeof globalThis._\n' });
    expect(r.stdout).toBe("21\n42\n'undefined'\n");
  });

  it("is the app's own _ when the app has one, and stays the app's", async () => {
    const { cwd } = await todoApp(['own']);
    const r = await runCli(['connect'], { cwd, input: '20 + 1\n_.isLodash\n_ === store.originals._\n' });
    expect(r.stdout).toBe('21\ntrue\ntrue\n');
  });
});
