// The completions op in real apps (issue 11): a CommonJS HTTP app, an ESM app
// and a tsx app. Module names come from the ns's node_modules chain and the
// file system, and nothing but module names inside a module string; literals'
// members complete; the REPL conveniences complete as the evaluated code sees
// them; a name declared in one session completes in another.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPS, ROOT, tempDir } from '../helpers/agent';
import { open, startHost } from './harness';

const APPS_UNDER_TEST = [
  { name: 'CommonJS HTTP app', opts: { app: join(APPS, 'nrepl-http.cjs') } },
  { name: 'ESM app', opts: { app: join(APPS, 'long-running.mjs') } },
  { name: 'tsx app', opts: { app: join(APPS, 'long-running.ts'), nodeArgs: ['--import', 'tsx'], cwd: ROOT } },
];

function projectFolder(): string {
  const dir = tempDir('nrepl-completion-apps-');
  for (const pkg of ['express', 'express-session', '@acme/store']) mkdirSync(join(dir, 'node_modules', pkg), { recursive: true });
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'src', 'store.js'), '');
  return dir;
}

describe.each(APPS_UNDER_TEST)('$name', ({ opts }) => {
  it('completes module names from the ns, literals, conveniences and other sessions', async () => {
    const host = await startHost(opts);
    const c = await open(host.port);
    const complete = async (prefix: string, fields: Record<string, string> = {}) =>
      (await c.completions(prefix, fields)).map((x) => (x as { candidate: string }).candidate);
    const ns = projectFolder();

    const inString = await c.completions("require('exp", { ns });
    expect(inString.map((x) => (x as { candidate: string }).candidate)).toEqual(["require('express", "require('express-session"]);
    expect(inString.every((x) => (x as { type: string }).type === 'module')).toBe(true);
    expect(await complete("import('@ac", { ns })).toEqual(["import('@acme/store"]);
    expect(await complete("import { x } from './src/st", { ns })).toEqual(["import { x } from './src/store.js"]);
    expect(await complete("require('exp")).not.toContain("require('export");

    expect(await complete("'abc'.toUpp")).toEqual(["'abc'.toUpperCase"]);
    expect(await complete("'a,b'.split(',').jo")).toEqual(["'a,b'.split(',').join"]);

    const one = await c.clone();
    await c.eval('({ title: "milk", done: false })', { session: one });
    expect(await complete('_.ti', { session: one })).toEqual(['_.title']);
    expect(await complete('fs.readFileS', { session: one })).toEqual(['fs.readFileSync']);

    await c.eval('const completionProbeStore = { items: [] }', { session: one });
    const two = await c.clone();
    expect(await complete('completionProbeS', { session: two })).toEqual(['completionProbeStore']);
    expect(await complete('completionProbeStore.it', { session: two })).toEqual(['completionProbeStore.items']);
  });
});
