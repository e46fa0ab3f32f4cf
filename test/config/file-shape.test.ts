import { describe, expect, it } from 'vitest';
import { interpretFileConfig, type FileContext } from '../../src/shared/config/file-shape';
import { Level } from '../../src/shared/config/raw';
import { combineSources } from '../../src/shared/config/combine';
import { SERVER_FIELDS } from '../../src/shared/config/rules';
import { ErrorCodes, formatProblem } from '../../src/errors';

const EDN: FileContext = { source: '/p/.nrepl.edn', prefix: '', level: Level.PROJECT_EDN, baseDir: '/p', clojureKeys: true };
const RC: FileContext = { source: '/p/.nreplrc.json', prefix: '', level: Level.PROJECT_RC, baseDir: '/p', clojureKeys: false };
const PKG: FileContext = { source: '/p/package.json', prefix: 'nrepl', level: Level.PROJECT_RC, baseDir: '/p', clojureKeys: false };

describe('interpretFileConfig follows the nREPL file conventions', () => {
  it('turns top-level keys (port, bind...) into the "nrepl" server with the nREPL accept by default', () => {
    const result = interpretFileConfig({ port: 7888, bind: '0.0.0.0' }, EDN);
    expect(result.problems).toEqual([]);
    expect(result.defined).toBe(true);
    expect(result.servers).toEqual([{
      name: 'nrepl', fields: { port: 7888, bind: '0.0.0.0' }, source: '/p/.nrepl.edn', file: '/p/.nrepl.edn', path: '', level: Level.PROJECT_EDN,
      baseDir: '/p', defaultAccept: 'nrepl-ts/nrepl', problems: [],
    }]);
  });

  it('reads named servers from "servers", after the top-level one', () => {
    const result = interpretFileConfig({ servers: { dev: { port: 1 }, repl: { socket: 's' } }, socket: '/tmp/n.sock' }, EDN);
    expect(result.servers.map((s) => [s.name, s.path, s.fields])).toEqual([
      ['nrepl', '', { socket: '/tmp/n.sock' }],
      ['dev', 'servers.dev', { port: 1 }],
      ['repl', 'servers.repl', { socket: 's' }],
    ]);
    expect(result.servers[1].defaultAccept).toBeUndefined();
  });

  it('defines nothing for an empty map or one with only Clojure nREPL keys', () => {
    expect(interpretFileConfig({}, EDN)).toEqual({ servers: [], problems: [], notes: [], defined: false });
    const clojureOnly = interpretFileConfig({ middleware: ['cider.nrepl/cider-middleware'], 'repl-fn': 'rebel/repl', ack: 1 }, EDN);
    expect(clojureOnly.servers).toEqual([]);
    expect(clojureOnly.problems).toEqual([]);
    expect(clojureOnly.defined).toBe(false);
    expect(clojureOnly.notes).toEqual(['/p/.nrepl.edn: ignoring :middleware :repl-fn :ack (Clojure nREPL settings, unused by nrepl-ts)']);
  });

  it('checks other top-level keys as keys of the "nrepl" server, which then does not start', () => {
    const result = interpretFileConfig({ prot: 1, servres: {}, foo: 1 }, EDN);
    expect(result.problems).toEqual([]);
    expect(result.defined).toBe(true);
    const loaded = combineSources([result]);
    expect(loaded.servers).toEqual([]);
    expect(loaded.problems.map((p) => [p.code, formatProblem(p)])).toEqual([
      [ErrorCodes.CONFIG_UNKNOWN_KEY, 'nrepl-ts: /p/.nrepl.edn: server "nrepl" not started: unknown key "servres"; did you mean "servers"?'],
      [ErrorCodes.CONFIG_UNKNOWN_KEY, 'nrepl-ts: /p/.nrepl.edn: server "nrepl" not started: unknown key "prot"; did you mean "port"?'],
      [ErrorCodes.CONFIG_UNKNOWN_KEY, `nrepl-ts: /p/.nrepl.edn: server "nrepl" not started: unknown key "foo"; expected one of: ${SERVER_FIELDS.join(', ')}`],
    ]);
  });

  it('accepts "address" at the top level too, and "bind" or "host" in a servers entry', () => {
    const loaded = combineSources([interpretFileConfig({ port: 0, address: '127.0.0.2', servers: { a: { port: 0, accept: 'nrepl-ts/repl', bind: '127.0.0.3' }, b: { port: 0, accept: 'nrepl-ts/repl', host: 'localhost' } } }, EDN)]);
    expect(loaded.problems).toEqual([]);
    expect(loaded.servers.map((s) => [s.name, s.address])).toEqual([['nrepl', '127.0.0.2'], ['a', '127.0.0.3'], ['b', 'localhost']]);
  });

  it('reports two spellings of the bind address in one map', () => {
    const loaded = combineSources([interpretFileConfig({ servers: { a: { port: 0, accept: 'nrepl-ts/repl', bind: '127.0.0.3', address: '127.0.0.4' } } }, EDN)]);
    expect(loaded.problems.map(formatProblem)).toEqual([
      'nrepl-ts: /p/.nrepl.edn: servers.a: not started: "bind" and "address" set the same thing; keep only one of them',
    ]);
  });

  it('reports Clojure nREPL keys as unknown in a cosmiconfig file, which is not shared with Clojure', () => {
    const loaded = combineSources([interpretFileConfig({ middleware: [] }, RC)]);
    expect(loaded.problems.map((p) => p.code)).toEqual([ErrorCodes.CONFIG_UNKNOWN_KEY]);
  });

  it('prefixes paths with "nrepl" inside package.json', () => {
    const result = interpretFileConfig({ port: 1, servers: { dev: 5 }, x: 1 }, PKG);
    expect(result.servers.map((s) => s.path)).toEqual(['nrepl', 'nrepl.servers.dev']);
    expect(combineSources([result]).problems.map(formatProblem)).toEqual([
      `nrepl-ts: /p/package.json: nrepl: not started: unknown key "x"; expected one of: ${SERVER_FIELDS.join(', ')}`,
      'nrepl-ts: /p/package.json: nrepl.servers.dev: not started: expected a server spec map with at least "accept" and "port", got 5',
    ]);
  });
});

describe('interpretFileConfig reports a wrong outer shape', () => {
  it.each([
    [[1, 2], EDN, 'nrepl-ts: /p/.nrepl.edn: expected a map at the top level, such as {:port 7888}, got [1,2]'],
    ['x', RC, 'nrepl-ts: /p/.nreplrc.json: expected a map at the top level, such as {"port": 7888}, got "x"'],
    [() => ({}), RC, 'nrepl-ts: /p/.nreplrc.json: expected a map at the top level, such as {"port": 7888}, got a function'],
    [new Date(0), RC, 'nrepl-ts: /p/.nreplrc.json: expected a map at the top level, such as {"port": 7888}, got "1970-01-01T00:00:00.000Z"'],
  ])('%j', (data, ctx, line) => {
    const result = interpretFileConfig(data, ctx);
    expect(result.problems.map((p) => [p.code, formatProblem(p)])).toEqual([[ErrorCodes.CONFIG_INVALID, line]]);
    expect(result.defined).toBe(true);
  });

  it('reports "servers" that is not a map, counting it as an attempt to define servers', () => {
    const result = interpretFileConfig({ servers: ['dev'] }, EDN);
    expect(result.problems.map(formatProblem)).toEqual([
      'nrepl-ts: /p/.nrepl.edn: servers: expected a map of server names to server specs, such as {dev {:port 5555 :accept nrepl-ts/repl}}, got ["dev"]',
    ]);
    expect(result.defined).toBe(true);
  });

  it('keeps a server whose spec is not a map, carrying its problem so it is dropped', () => {
    const result = interpretFileConfig({ servers: { dev: 'nrepl-ts/repl' } }, RC);
    expect(result.problems).toEqual([]);
    expect(result.servers[0].problems.map((p) => [p.code, formatProblem(p)])).toEqual([[ErrorCodes.CONFIG_INVALID,
      'nrepl-ts: /p/.nreplrc.json: servers.dev: expected a server spec map with at least "accept" and "port", got "nrepl-ts/repl"']]);
  });

  it('treats "servers" nil as absent', () => {
    expect(interpretFileConfig({ servers: null }, EDN)).toEqual({ servers: [], problems: [], notes: [], defined: false });
  });
});
