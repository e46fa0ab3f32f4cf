import * as net from 'node:net';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  loaderMessage, readEdnFile, readProjectEdn, readProjectRc, readUserEdn, userEdnCandidates,
} from '../../src/shared/config/files';
import { Level } from '../../src/shared/config/raw';
import { ErrorCodes, formatProblem } from '../../src/errors';
import { tempTree } from './tmp';


describe('user nrepl.edn: the first existing of the nREPL locations', () => {
  it('lists NREPL_CONFIG_DIR, XDG_CONFIG_HOME, ~/.config/nrepl, ~/.nrepl in that order', () => {
    expect(userEdnCandidates({ cwd: '/cwd', home: '/h', env: { NREPL_CONFIG_DIR: '/c', XDG_CONFIG_HOME: '/x' } })).toEqual([
      '/c/nrepl.edn', '/x/nrepl/nrepl.edn', '/h/.config/nrepl/nrepl.edn', '/h/.nrepl/nrepl.edn',
    ]);
    expect(userEdnCandidates({ cwd: '/cwd', home: '/h', env: { XDG_CONFIG_HOME: '/h/.config' } })).toEqual([
      '/h/.config/nrepl/nrepl.edn', '/h/.nrepl/nrepl.edn',
    ]);
    expect(userEdnCandidates({ cwd: '/cwd', home: '/h', env: { NREPL_CONFIG_DIR: 'rel' } })[0]).toBe('/cwd/rel/nrepl.edn');
  });

  it.each([
    ['NREPL_CONFIG_DIR', 'cfg/nrepl.edn'],
    ['XDG_CONFIG_HOME', 'xdg/nrepl/nrepl.edn'],
    ['~/.config', 'home/.config/nrepl/nrepl.edn'],
    ['~/.nrepl', 'home/.nrepl/nrepl.edn'],
  ])('reads the file found through %s and no later one', async (_label, winner) => {
    const all = ['cfg/nrepl.edn', 'xdg/nrepl/nrepl.edn', 'home/.config/nrepl/nrepl.edn', 'home/.nrepl/nrepl.edn'];
    const files = Object.fromEntries(all.slice(all.indexOf(winner)).map((f) => [f, `{:port ${all.indexOf(f) + 1}}`]));
    const root = tempTree(files);
    const result = await readUserEdn({ cwd: root, home: path.join(root, 'home'), env: { NREPL_CONFIG_DIR: path.join(root, 'cfg'), XDG_CONFIG_HOME: path.join(root, 'xdg') } });
    expect(result.servers).toHaveLength(1);
    expect(result.servers[0]).toMatchObject({ fields: { port: all.indexOf(winner) + 1 }, source: path.join(root, winner), level: Level.USER_EDN, baseDir: path.dirname(path.join(root, winner)) });
  });

  it('is empty when no file exists', async () => {
    const root = tempTree();
    expect(await readUserEdn({ cwd: root, home: root, env: {} })).toEqual({ servers: [], problems: [], notes: [], defined: false });
  });
});

describe('project .nrepl.edn', () => {
  it('reads top-level keys and servers, noting Clojure keys', async () => {
    const root = tempTree({ '.nrepl.edn': '{:port 7888 :middleware [cider.nrepl/cider-middleware] :servers {dev {:accept nrepl-ts/repl :port 5555}}}' });
    const result = await readProjectEdn({ cwd: root, home: root, env: {} });
    const file = path.join(root, '.nrepl.edn');
    expect(result.problems).toEqual([]);
    expect(result.servers.map((s) => [s.name, s.file, s.level])).toEqual([['nrepl', file, Level.PROJECT_EDN], ['dev', file, Level.PROJECT_EDN]]);
    expect(result.notes).toEqual([`read ${file}`, `${file}: ignoring :middleware (Clojure nREPL settings, unused by nrepl-ts)`]);
  });

  it('is empty when the file is missing, and when it holds only comments', async () => {
    expect((await readProjectEdn({ cwd: tempTree(), home: '/nowhere', env: {} })).defined).toBe(false);
    const root = tempTree({ '.nrepl.edn': ';; nothing yet\n' });
    const result = await readProjectEdn({ cwd: root, home: '/nowhere', env: {} });
    expect(result).toMatchObject({ servers: [], problems: [], defined: false });
  });

  it('reports invalid EDN with the file, line and column', async () => {
    const root = tempTree({ '.nrepl.edn': '{:port 7888\n :servers {dev {:port 1]}}' });
    const result = await readProjectEdn({ cwd: root, home: root, env: {} });
    expect(result.defined).toBe(true);
    expect(result.problems.map((p) => [p.code, formatProblem(p)])).toEqual([[ErrorCodes.CONFIG_PARSE,
      `nrepl-ts: ${root}/.nrepl.edn: invalid EDN: expected "}" to close "{" from line 2, column 16, found "]" at line 2, column 24`]]);
  });

  it('reports a directory named .nrepl.edn', async () => {
    const root = tempTree({ '.nrepl.edn/': '' });
    const result = await readProjectEdn({ cwd: root, home: root, env: {} });
    expect(result.problems.map((p) => [p.code, formatProblem(p)])).toEqual([[ErrorCodes.CONFIG_FILE,
      `nrepl-ts: ${root}/.nrepl.edn: is a directory, expected an EDN file`]]);
  });

  it('reports a file that cannot be read', async () => {
    // chmod 0 cannot stop root (CI runs as root); a unix socket in the file's place fails to read for everyone.
    const root = tempTree({});
    const file = path.join(root, '.nrepl.edn');
    const server = net.createServer().listen(file);
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const result = await readEdnFile(file, Level.PROJECT_EDN);
      expect(result.problems.map((p) => p.code)).toEqual([ErrorCodes.CONFIG_FILE]);
      expect(result.problems[0].message).toMatch(/^could not read the file: /);
    } finally {
      server.close();
    }
  });

  it('reports a top level that is not a map', async () => {
    const root = tempTree({ '.nrepl.edn': '[:port 7888]' });
    const result = await readProjectEdn({ cwd: root, home: root, env: {} });
    expect(result.problems.map((p) => [p.code, p.message])).toEqual([[ErrorCodes.CONFIG_INVALID,
      'expected a map at the top level, such as {:port 7888}, got ["port",7888]']]);
  });
});

describe('project cosmiconfig file: every search place, cwd only', () => {
  const JSON_CONFIG = '{"port": 1, "servers": {"dev": {"accept": "nrepl-ts/repl", "port": 2}}}';
  const YAML_CONFIG = 'port: 1\nservers:\n  dev:\n    accept: nrepl-ts/repl\n    port: 2\n';
  const CJS_CONFIG = 'module.exports = { port: 1, servers: { dev: { accept: "nrepl-ts/repl", port: 2 } } };';
  const ESM_CONFIG = 'export default { port: 1, servers: { dev: { accept: "nrepl-ts/repl", port: 2 } } };';

  it.each([
    ['package.json', JSON.stringify({ name: 'app', nrepl: JSON.parse(JSON_CONFIG) })],
    ['.nreplrc', JSON_CONFIG],
    ['.nreplrc', YAML_CONFIG],
    ['.nreplrc.json', JSON_CONFIG],
    ['.nreplrc.yaml', YAML_CONFIG],
    ['.nreplrc.yml', YAML_CONFIG],
    ['.nreplrc.js', CJS_CONFIG],
    ['.nreplrc.cjs', CJS_CONFIG],
    ['.nreplrc.mjs', ESM_CONFIG],
    ['nrepl.config.js', CJS_CONFIG],
    ['nrepl.config.cjs', CJS_CONFIG],
    ['nrepl.config.mjs', ESM_CONFIG],
  ])('reads %s', async (name, content) => {
    const root = tempTree({ [name]: content });
    const result = await readProjectRc({ cwd: root, home: root, env: {} });
    const file = path.join(root, name);
    expect(result.problems).toEqual([]);
    expect(result.defined).toBe(true);
    const prefix = name === 'package.json' ? 'nrepl' : '';
    expect(result.servers.map((s) => [s.name, s.path, s.fields, s.source, s.level, s.baseDir])).toEqual([
      ['nrepl', prefix, { port: 1 }, file, Level.PROJECT_RC, root],
      ['dev', [prefix, 'servers', 'dev'].filter(Boolean).join('.'), { accept: 'nrepl-ts/repl', port: 2 }, file, Level.PROJECT_RC, root],
    ]);
  });

  it('reads an ES module .js file in a "type": "module" project', async () => {
    const root = tempTree({ 'package.json': '{"type": "module"}', '.nreplrc.js': ESM_CONFIG });
    expect((await readProjectRc({ cwd: root, home: root, env: {} })).servers).toHaveLength(2);
  });

  it('skips a package.json without an "nrepl" key and uses the next search place', async () => {
    const root = tempTree({ 'package.json': '{"name": "app"}', '.nreplrc.json': '{"port": 9}' });
    const result = await readProjectRc({ cwd: root, home: root, env: {} });
    expect(result.servers.map((s) => s.source)).toEqual([path.join(root, '.nreplrc.json')]);
  });

  it('uses only the first file found', async () => {
    const root = tempTree({ '.nreplrc.json': '{"port": 1}', 'nrepl.config.js': 'module.exports = { port: 2 };' });
    const result = await readProjectRc({ cwd: root, home: root, env: {} });
    expect(result.servers.map((s) => s.fields)).toEqual([{ port: 1 }]);
  });

  it('does not walk up to a parent folder', async () => {
    const root = tempTree({ '.nreplrc.json': '{"port": 1}', 'app/src/': '' });
    const result = await readProjectRc({ cwd: path.join(root, 'app', 'src'), home: root, env: {} });
    expect(result).toEqual({ servers: [], problems: [], notes: [], defined: false });
  });

  it('ignores an empty file', async () => {
    const root = tempTree({ '.nreplrc.json': '  \n' });
    expect((await readProjectRc({ cwd: root, home: root, env: {} })).defined).toBe(false);
  });

  it('reports broken JSON as one line naming the file', async () => {
    const root = tempTree({ '.nreplrc.json': '{"port": 1,}' });
    const result = await readProjectRc({ cwd: root, home: root, env: {} });
    expect(result.defined).toBe(true);
    expect(result.problems.map((p) => p.code)).toEqual([ErrorCodes.CONFIG_FILE]);
    // Node 22+ adds "(line 1 column 12)" to V8's message; under CI=true the loader's frame is coloured.
    expect(formatProblem(result.problems[0])).toMatch(new RegExp(
      `^nrepl-ts: ${root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/\\.nreplrc\\.json: could not load: Expected double-quoted property name in JSON at position 11( \\(line 1 column 12\\))?$`));
  });

  it('reports broken YAML as one line naming the file', async () => {
    const root = tempTree({ '.nreplrc.yml': 'servers:\n  a: [1\n' });
    const [p] = (await readProjectRc({ cwd: root, home: root, env: {} })).problems;
    expect([p.code, formatProblem(p)]).toEqual([ErrorCodes.CONFIG_FILE,
      `nrepl-ts: ${root}/.nreplrc.yml: could not load: unexpected end of the stream within a flow collection (3:1)`]);
  });

  it('reports a JS config that throws, with its message on one line', async () => {
    const root = tempTree({ '.nreplrc.cjs': 'throw new Error("no config here\\nsee docs");' });
    const [p] = (await readProjectRc({ cwd: root, home: root, env: {} })).problems;
    expect([p.code, formatProblem(p)]).toEqual([ErrorCodes.CONFIG_FILE, `nrepl-ts: ${root}/.nreplrc.cjs: could not load: no config here`]);
  });

  it('reports the syntax error of an ES module config, not a require() retry', async () => {
    // Plain node says "Unexpected identifier 'is'"; under vitest, vite parses the import first.
    const root = tempTree({ 'nrepl.config.mjs': 'export default { port: 1 }; this is not js' });
    const [p] = (await readProjectRc({ cwd: root, home: root, env: {} })).problems;
    expect(p.code).toBe(ErrorCodes.CONFIG_FILE);
    expect(formatProblem(p)).toMatch(new RegExp(`^nrepl-ts: ${root}/nrepl.config.mjs: could not load: [^\\n]+$`));
    expect(p.message).not.toMatch(/require\(\)|not yet fully loaded/);
  });

  it('reports a config that exports a function instead of an object', async () => {
    const root = tempTree({ 'nrepl.config.cjs': 'module.exports = () => ({ port: 1 });' });
    const [p] = (await readProjectRc({ cwd: root, home: root, env: {} })).problems;
    expect([p.code, formatProblem(p)]).toEqual([ErrorCodes.CONFIG_INVALID,
      `nrepl-ts: ${root}/nrepl.config.cjs: expected a map at the top level, such as {"port": 7888}, got a function`]);
  });

  it('reports a broken package.json without counting it as an nrepl-ts config', async () => {
    const root = tempTree({ 'package.json': '{"name": ' });
    const result = await readProjectRc({ cwd: root, home: root, env: {} });
    expect(result.problems.map((p) => [p.code, p.source])).toEqual([[ErrorCodes.CONFIG_FILE, path.join(root, 'package.json')]]);
    expect(result.defined).toBe(false);
  });
});

describe('loaderMessage keeps the reason only', () => {
  it('drops the file prefix, code frames and the echoed input', () => {
    const err = new Error("JSON Error in /p/x.json: \n\n> 1 | {\n    | ^\n\nUnexpected end of JSON input while parsing '{' \n\n> 1 | {\n");
    expect(loaderMessage(err, '/p/x.json')).toBe('Unexpected end of JSON input');
    expect(loaderMessage('plain', '/p/x.json')).toBe('plain');
    expect(loaderMessage(new Error('x'.repeat(300)), '/f')).toHaveLength(200);
  });
});
