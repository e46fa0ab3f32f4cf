// Modules and bindings (issue 11), in real apps through nREPL and the plain
// REPL: a named import a CommonJS module does not export throws Node's own
// SyntaxError; imported names are live bindings in the eval's namespace;
// load-file of one of the app's module files runs it as that module, so the
// app's next HTTP response uses the new code and no local becomes a global.
import { describe, expect, it } from 'vitest';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { APPS, spawnWithAgent, tempDir, waitForNreplPort, waitForServerPort } from '../helpers/agent';
import { connect } from '../../src/client/client';
import { connectText } from '../helpers/text-client';
import { track } from '../helpers/clients';
import { IMPORT_COPY_WARNING } from '../../src/worker/eval/transform';

const SERVERS = { NREPL_SERVER_N: '{:port 0 :accept nrepl-ts/nrepl}', NREPL_SERVER_R: '{:port 0 :accept nrepl-ts/repl}' };


/** A copy of an app folder (tests edit its files), started with the agent. */
async function start(fixture: 'modules' | 'ts-cjs') {
  const cwd = tempDir('nrepl-modules-');
  cpSync(join(APPS, fixture), cwd, { recursive: true });
  const child =
    fixture === 'modules'
      ? spawnWithAgent({ cwd, app: 'app.js', env: SERVERS })
      : spawnWithAgent({ cwd, app: 'app.ts', nodeArgs: ['--import', join(APPS, '../../node_modules/tsx/dist/loader.mjs')], env: SERVERS });
  const [, http] = await child.waitFor(/app ready(?: port=(\d+))?/, { from: 'stdout' });
  const client = await connect({ port: await waitForNreplPort(child) }, { timeoutMs: 20_000 });
  track(client);
  return { child, cwd, client, session: await client.clone(), http: Number(http) };
}

function get(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/' }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve(body));
    })
      .on('error', reject)
      .end();
  });
}

const CJS_MESSAGE =
  "Named export 'add' not found. The requested module './cjsmod.js' is a CommonJS module, which may not support all module.exports as named exports.\n" +
  'CommonJS modules can always be imported via the default export, for example using:\n\n' +
  "import pkg from './cjsmod.js';\nconst { add } = pkg;\n";

describe('named imports', () => {
  it("throw Node's SyntaxError when a CommonJS module has no detectable export of that name", async () => {
    const { client, session } = await start('modules');
    const r = await client.eval("import { add } from './cjsmod.js'", { session });
    expect(r.ex).toBe('SyntaxError');
    expect(r.err).toContain(`Uncaught SyntaxError: ${CJS_MESSAGE}`);
    expect((await client.eval("import api from './cjsmod.js'; api.add(2, 3)", { session })).values).toEqual(['5']);
  });

  it('are live bindings, shared by the sessions of the ns, through nREPL and the plain REPL alike', async () => {
    const { child, client, session } = await start('modules');
    const first = await client.eval("import { version, setVersion } from './version.mjs'; setVersion(2); version", { session });
    expect(first).toMatchObject({ values: ['2'], err: '' });
    const other = await client.clone();
    expect((await client.eval('setVersion(3); version', { session: other })).values).toEqual(['3']);
    // Another ns has no such name.
    expect((await client.eval('typeof version', { session: other, ns: 'other' })).values).toEqual(["'undefined'"]);

    const repl = await connectText(await waitForServerPort(child, 'r'));
    track(repl);
    await repl.until(/> $/);
    repl.send('setVersion(4); version\n');
    expect(await repl.until(/> $/)).toBe('4\n> ');
    repl.send("import { add } from './cjsmod.js'\n");
    expect(await repl.until(/> $/)).toContain(`Uncaught SyntaxError: ${CJS_MESSAGE}`);
    // Code that opts out of the namespace ("use strict" declares globals) gets copies, and is told once.
    repl.send('"use strict"; import { version as sv } from "./version.mjs"; sv\n');
    expect(await repl.until(/> $/)).toBe(`${IMPORT_COPY_WARNING}4\n> `);
  });
});

describe('load-file of a module the app has loaded', () => {
  it("re-runs a CommonJS module in its own scope and updates the exports the app holds: the next response is the new code's", async () => {
    const { cwd, client, session, http } = await start('modules');
    expect(await get(http)).toBe('hello v1');
    const file = join(cwd, 'routes.js');
    // Unsaved editor text is what runs for a .js module.
    const edited = readFileSync(file, 'utf8').replace("'hello v1'", "'hello v2'");
    const r = await client.loadFile(edited, { session, 'file-path': file });
    expect(r).toMatchObject({ values: ['{ hello: [Function: hello] }'], err: '' });
    expect(await get(http)).toBe('hello v2');
    // The module's locals stay in the module.
    expect((await client.eval("typeof greeting + ' ' + typeof hello", { session })).values).toEqual(["'undefined undefined'"]);
    // A module that throws leaves the app's exports as they were, and the stack is the module's.
    const thrown = await client.loadFile("exports.hello = null;\nthrow new Error('half-done')", { session, 'file-path': file });
    expect(thrown.err).toMatch(/^Uncaught Error: half-done\n {4}at .*routes\.js:2:7\)\n$/);
    expect(await get(http)).toBe('hello v2');
  });

  it('loads an ES module as a fresh instance under a new URL and says that the app keeps its own', async () => {
    const { cwd, client, session } = await start('modules');
    const file = join(cwd, 'version.mjs');
    const r = await client.loadFile(readFileSync(file, 'utf8'), { session, 'file-path': file });
    expect(r.values[0]).toMatch(/setVersion: \[Function: setVersion\],\s+version: 1/);
    expect(r.err).toMatch(/is an ES module, which cannot be evaluated again in place: load-file imported a fresh instance \(file:.*version\.mjs\?nrepl-ts-reload=\d+\).*the app keeps its own instance/);
    const unsaved = await client.loadFile('export let version = 9', { session, 'file-path': file });
    expect(unsaved.err).toBe(`Uncaught Error: load-file ${file}: the editor's text differs from the file on disk, and the ES module loader reads the file from disk. Save the file, then load it again.\n`);
  });

  it("re-runs a tsx CommonJS .ts module through the app's own TypeScript hook", async () => {
    const { cwd, client, session } = await start('ts-cjs');
    const file = join(cwd, 'src/store.ts');
    expect((await client.eval("require('./src/store.ts').todos.length", { session })).values).toEqual(['2']);
    const saved = readFileSync(file, 'utf8').replace('return todos.push({ title });', 'return todos.push({ title: title.toUpperCase() });');
    writeFileSync(file, saved);
    // tsx compiles exports to fixed getters: they cannot change in the object the app holds, and the note says so.
    expect((await client.loadFile(saved, { session, 'file-path': file })).err).toMatch(
      /^nrepl-ts: load-file could not update add, todos in the exports object the app holds .*require\(\) returns the new exports from now on\.\n$/,
    );
    expect((await client.eval("const st = require('./src/store.ts'); st.add('x'); st.todos", { session })).values).toEqual(["[ { title: 'X' } ]"]);
    expect((await client.loadFile(`${saved}\n// edited`, { session, 'file-path': file })).err).toContain('Save the file, then load it again.');
  });
});
