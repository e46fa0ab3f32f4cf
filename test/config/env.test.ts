import { describe, expect, it } from 'vitest';
import { parseEnvServers, parseEnvValue } from '../../src/shared/config/env';
import { ErrorCodes, formatProblem } from '../../src/errors';

const CWD = '/work/app';

describe('parseEnvServers names servers after the variable', () => {
  it('lower-cases the part after NREPL_SERVER_', () => {
    const result = parseEnvServers({
      NREPL_SERVER_REPL: '{:port 5555 :accept nrepl-ts/repl}',
      NREPL_SERVER_MY_DEV: '{"port": 5556, "accept": "nrepl-ts/prepl"}',
      PATH: '/usr/bin',
      NREPL_DEBUG: '1',
    }, CWD);
    expect(result.servers.map((s) => s.name)).toEqual(['my_dev', 'repl']);
    expect(result.servers.map((s) => s.source)).toEqual(['NREPL_SERVER_MY_DEV', 'NREPL_SERVER_REPL']);
    expect(result.servers.every((s) => s.baseDir === CWD && s.file === undefined && s.path === '')).toBe(true);
    expect(result.problems).toEqual([]);
    expect(result.defined).toBe(true);
  });

  it('is not defined when no variable is set, and ignores unset (undefined) ones', () => {
    expect(parseEnvServers({ HOME: '/root', NREPL_SERVER_X: undefined }, CWD)).toEqual({ servers: [], problems: [], notes: [], defined: false });
  });

  it('reports a variable with no name after the prefix', () => {
    const result = parseEnvServers({ NREPL_SERVER_: '{:port 1}' }, CWD);
    expect(result.servers).toEqual([]);
    expect(result.defined).toBe(true);
    expect(result.problems.map((p) => p.code)).toEqual([ErrorCodes.CONFIG_INVALID]);
    expect(formatProblem(result.problems[0])).toBe(
      'nrepl-ts: NREPL_SERVER_: the server name is missing; name the variable NREPL_SERVER_<NAME>, e.g. NREPL_SERVER_DEV');
  });
});

describe('parseEnvValue reads JSON or EDN maps', () => {
  it('reads EDN with keywords, symbols and vectors', () => {
    expect(parseEnvValue('{:port 5555 :accept nrepl-ts/repl :args [:x 1]}')).toEqual({
      ok: true, fields: { port: 5555, accept: 'nrepl-ts/repl', args: ['x', 1] },
    });
  });

  it('reads JSON', () => {
    expect(parseEnvValue(' {"port":5555,"accept":"nrepl-ts/repl","bindErr":false} ')).toEqual({
      ok: true, fields: { port: 5555, accept: 'nrepl-ts/repl', bindErr: false },
    });
  });

  it('reads EDN that uses string keys like JSON but no colons', () => {
    expect(parseEnvValue('{"port" 5555}')).toEqual({ ok: true, fields: { port: 5555 } });
  });

  it.each(['false', 'off', 'nil', '0', 'OFF', ' False '])('treats %j as "disable this server"', (text) => {
    expect(parseEnvValue(text)).toEqual({ ok: true, fields: { enabled: false } });
  });

  it('keeps a JSON "__proto__" key as data', () => {
    const parsed = parseEnvValue('{"__proto__": {"x": 1}}');
    expect(parsed.ok && Object.keys(parsed.fields)).toEqual(['__proto__']);
    expect(parsed.ok && Object.getPrototypeOf(parsed.fields)).toBe(Object.prototype);
  });
});

describe('parseEnvServers reports values it cannot use, naming the variable', () => {
  const problemFor = (value: string) => {
    const result = parseEnvServers({ NREPL_SERVER_DEV: value }, CWD);
    expect(result.defined).toBe(true);
    expect(result.servers).toHaveLength(1);
    expect(result.servers[0].name).toBe('dev');
    expect(result.servers[0].problems).toHaveLength(1);
    return result.servers[0].problems[0];
  };

  it('reports broken JSON with the JSON error', () => {
    const p = problemFor('{"port": 5555,}');
    expect(p.code).toBe(ErrorCodes.CONFIG_PARSE);
    expect(formatProblem(p)).toMatch(/^nrepl-ts: NREPL_SERVER_DEV: invalid JSON: .*position 14.*; expected a map such as \{:port 5555 :accept nrepl-ts\/repl\} or \{"port":5555,"accept":"nrepl-ts\/repl"\}$/);
  });

  it('reports broken EDN with line and column', () => {
    const p = problemFor('{:port 5555 :accept nrepl-ts/repl');
    expect(p.code).toBe(ErrorCodes.CONFIG_PARSE);
    expect(formatProblem(p)).toBe('nrepl-ts: NREPL_SERVER_DEV: invalid EDN: unexpected end of input: "{" opened here is never closed at line 1, column 1; expected a map such as {:port 5555 :accept nrepl-ts/repl} or {"port":5555,"accept":"nrepl-ts/repl"}');
  });

  it.each([
    ['5555', '5555'],
    ['[:port 5555]', '["port",5555]'],
    ['"{:port 1}"', '"{:port 1}"'],
    ['true', 'true'],
    ['nrepl-ts/repl', '"nrepl-ts/repl"'],
  ])('reports the non-map value %j', (value, shown) => {
    const p = problemFor(value);
    expect(p.code).toBe(ErrorCodes.CONFIG_INVALID);
    expect(formatProblem(p)).toBe(`nrepl-ts: NREPL_SERVER_DEV: expected a map such as {:port 5555 :accept nrepl-ts/repl} or {"port":5555,"accept":"nrepl-ts/repl"}, or false/off/nil/0 to disable the server, got ${shown}`);
  });

  it('reports an empty value', () => {
    const p = problemFor('  ');
    expect(p.code).toBe(ErrorCodes.CONFIG_INVALID);
    expect(p.message).toBe('empty value; expected a map such as {:port 5555 :accept nrepl-ts/repl} or {"port":5555,"accept":"nrepl-ts/repl"}, or false/off/nil/0 to disable the server');
  });
});
