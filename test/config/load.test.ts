import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_NREPL_SERVER, describeConfig, loadConfig, validateServer } from '../../src/shared/config/load';
import { ServerSpecSchema, verifySpec } from '../../src/shared/config/schema';
import { ErrorCodes, formatProblem } from '../../src/errors';
import { tempTree } from './tmp';

/** A project folder and a home folder with a user nrepl.edn, all optional. */
function setup(files: { rc?: [string, string]; edn?: string; user?: string; extra?: Record<string, string> } = {}) {
  const tree: Record<string, string> = { 'project/': '', 'home/': '', ...files.extra };
  if (files.rc) tree[`project/${files.rc[0]}`] = files.rc[1];
  if (files.edn !== undefined) tree['project/.nrepl.edn'] = files.edn;
  if (files.user !== undefined) tree['home/.nrepl/nrepl.edn'] = files.user;
  const root = tempTree(tree);
  return { root, cwd: path.join(root, 'project'), home: path.join(root, 'home'), user: path.join(root, 'home/.nrepl/nrepl.edn') };
}

describe('loadConfig precedence: env > cosmiconfig file > .nrepl.edn > user nrepl.edn', () => {
  const all = () => setup({
    user: '{:servers {dev {:accept nrepl-ts/repl :port 1 :address "localhost" :max-sessions 4 :max-connections 5 :args [:user]}}}',
    edn: '{:servers {dev {:port 2 :max-sessions 6 :max-connections 7}}}',
    rc: ['.nreplrc.json', '{"servers": {"dev": {"port": 3, "maxSessions": 8}}}'],
  });

  it('takes each field from the highest source that sets it and records where', async () => {
    const { cwd, home, user } = all();
    const loaded = await loadConfig({ verify: verifySpec, cwd, home, env: { NREPL_SERVER_DEV: '{:port 4}' } });
    expect(loaded.problems).toEqual([]);
    expect(loaded.servers).toHaveLength(1);
    expect(loaded.servers[0]).toMatchObject({
      name: 'dev', accept: 'nrepl-ts/repl', port: 4, address: 'localhost', 'max-sessions': 8, 'max-connections': 7, args: ['user'],
      origin: { file: user, baseDir: path.dirname(user) },
    });
    expect(loaded.origins.dev).toMatchObject({
      accept: user, port: 'NREPL_SERVER_DEV', address: user, 'max-sessions': path.join(cwd, '.nreplrc.json'),
      'max-connections': path.join(cwd, '.nrepl.edn'), args: user, 'bind-err': 'default',
    });
    expect(loaded.explicit).toBe(true);
  });

  it.each([
    [{}, 3],
    [{ rc: false }, 2],
    [{ rc: false, edn: false }, 1],
  ])('falls through to the next source when a higher one is absent (%j)', async (drop, port) => {
    const { cwd, home } = all();
    const { rmSync } = await import('node:fs');
    if ('rc' in drop) rmSync(path.join(cwd, '.nreplrc.json'));
    if ('edn' in drop) rmSync(path.join(cwd, '.nrepl.edn'));
    const loaded = await loadConfig({ verify: verifySpec, cwd, home, env: {} });
    expect(loaded.servers.map((s) => s.port)).toEqual([port]);
  });

  it('lets the environment disable a server a file defines', async () => {
    const { cwd, home } = all();
    const loaded = await loadConfig({ verify: verifySpec, cwd, home, env: { NREPL_SERVER_DEV: 'off' } });
    expect(loaded.servers).toEqual([]);
    expect(loaded.problems).toEqual([]);
    expect(loaded.explicit).toBe(true);
    expect(loaded.notes).toContain('server "dev" is disabled by NREPL_SERVER_DEV');
  });

  it('merges the top-level nREPL server of every file, defaulting its accept to nrepl-ts/nrepl', async () => {
    const { cwd, home, user } = setup({ user: '{:bind "localhost"}', edn: '{:port 7888}' });
    const loaded = await loadConfig({ verify: verifySpec, cwd, home, env: {} });
    expect(loaded.problems).toEqual([]);
    expect(loaded.servers).toEqual([expect.objectContaining({ name: 'nrepl', accept: 'nrepl-ts/nrepl', address: 'localhost', port: 7888, 'port-file': true })]);
    expect(loaded.origins.nrepl).toMatchObject({ address: user, port: path.join(cwd, '.nrepl.edn'), accept: 'default' });
  });

  it('lists servers in order of first definition, highest source first', async () => {
    const { cwd, home } = setup({
      user: '{:servers {u {:accept nrepl-ts/repl :port 0} b {:accept nrepl-ts/repl :port 0}}}',
      edn: '{:port 0 :servers {e {:accept nrepl-ts/repl :port 0}}}',
    });
    const env = { NREPL_SERVER_Z: '{:accept nrepl-ts/repl :port 0}', NREPL_SERVER_B: '{:port 1}', NREPL_SERVER_A: '{:accept nrepl-ts/prepl :port 0}' };
    const loaded = await loadConfig({ verify: verifySpec, cwd, home, env });
    expect(loaded.servers.map((s) => s.name)).toEqual(['a', 'b', 'z', 'nrepl', 'e', 'u']);
  });
});

describe('loadConfig keeps going past problems', () => {
  it('drops only the invalid server, reporting each problem in one line', async () => {
    const { cwd, home } = setup({ edn: '{:servers {good {:accept nrepl-ts/repl :port 0}}}' });
    const env = {
      NREPL_SERVER_A: '{:port "abc" :accept nrepl-ts/repl}',
      NREPL_SERVER_B: '{"port": 70000, "accept": "nrepl-ts/repl"}',
      NREPL_SERVER_C: '{:port -1 :accept nrepl-ts/repl}',
      NREPL_SERVER_D: '{:port 1}',
      NREPL_SERVER_E: '{:port 1 :socket "/tmp/e.sock" :accept nrepl-ts/repl}',
      NREPL_SERVER_F: '{:prot 1 :accept nrepl-ts/repl}',
      NREPL_SERVER_G: '{:port 1 :accept nrepl-ts/repl :bind-err "no" :args "x"}',
      NREPL_SERVER_H: '{:port 1 :accept nrepl-ts/repl',
    };
    const loaded = await loadConfig({ verify: verifySpec, cwd, home, env });
    expect(loaded.servers.map((s) => s.name)).toEqual(['good']);
    expect(loaded.problems.map((p) => [p.code, formatProblem(p)])).toEqual([
      [ErrorCodes.CONFIG_INVALID, 'nrepl-ts: NREPL_SERVER_A: not started: port: expected an integer 0-65535, got "abc"'],
      [ErrorCodes.CONFIG_INVALID, 'nrepl-ts: NREPL_SERVER_B: not started: port: expected an integer 0-65535, got 70000'],
      [ErrorCodes.CONFIG_INVALID, 'nrepl-ts: NREPL_SERVER_C: not started: port: expected an integer 0-65535, got -1'],
      [ErrorCodes.CONFIG_INVALID, 'nrepl-ts: NREPL_SERVER_D: not started: missing required key "accept"; expected nrepl-ts/repl, nrepl-ts/prepl, nrepl-ts/nrepl or a module specifier with an optional #export, such as "./accept.js#handle"'],
      [ErrorCodes.CONFIG_INVALID, 'nrepl-ts: NREPL_SERVER_E: not started: "socket" and "port" cannot both be set: a server listens either on a unix socket or on a TCP address and port; remove one of them'],
      [ErrorCodes.CONFIG_UNKNOWN_KEY, 'nrepl-ts: NREPL_SERVER_F: not started: unknown key "prot"; did you mean "port"?'],
      [ErrorCodes.CONFIG_INVALID, 'nrepl-ts: NREPL_SERVER_G: not started: bind-err: expected a boolean, got "no"'],
      [ErrorCodes.CONFIG_INVALID, 'nrepl-ts: NREPL_SERVER_G: not started: args: expected a vector/array of arguments, got "x"'],
      [ErrorCodes.CONFIG_PARSE, 'nrepl-ts: NREPL_SERVER_H: not started: invalid EDN: unexpected end of input: "{" opened here is never closed at line 1, column 1; expected a map such as {:port 5555 :accept nrepl-ts/repl} or {"port":5555,"accept":"nrepl-ts/repl"}'],
    ]);
    expect(loaded.problems.every((p) => !formatProblem(p).includes('\n'))).toBe(true);
  });

  it('loads the other sources when one file is broken', async () => {
    const { cwd, home } = setup({ edn: '{:port', user: '{:servers {u {:accept nrepl-ts/repl :port 0}}}' });
    const loaded = await loadConfig({ verify: verifySpec, cwd, home, env: { NREPL_SERVER_X: '{:accept nrepl-ts/prepl :port 0}' } });
    expect(loaded.servers.map((s) => s.name)).toEqual(['x', 'u']);
    expect(loaded.problems.map((p) => [p.code, p.source])).toEqual([[ErrorCodes.CONFIG_PARSE, path.join(cwd, '.nrepl.edn')]]);
  });

  it('never throws: directory .nrepl.edn, missing cwd and home, odd names and values', async () => {
    const { cwd, home } = setup({ extra: { 'project/.nrepl.edn/': '', 'project/.nreplrc.json/': '' } });
    const env = { NREPL_SERVER___PROTO__: '{:accept nrepl-ts/repl :port 0}', NREPL_SERVER_CONSTRUCTOR: '{"__proto__": 1, "constructor": 2}' };
    const loaded = await loadConfig({ verify: verifySpec, cwd, home, env });
    expect(loaded.servers.map((s) => s.name)).toEqual(['__proto__']);
    expect(Object.keys(loaded.origins)).toEqual(['__proto__']);
    expect(loaded.problems.map((p) => [p.code, p.source, p.path])).toEqual([
      [ErrorCodes.CONFIG_FILE, path.join(cwd, '.nrepl.edn'), ''],
      [ErrorCodes.CONFIG_UNKNOWN_KEY, 'NREPL_SERVER_CONSTRUCTOR', ''],
      [ErrorCodes.CONFIG_UNKNOWN_KEY, 'NREPL_SERVER_CONSTRUCTOR', ''],
    ]);
    const nowhere = await loadConfig({ verify: verifySpec, cwd: '/does/not/exist', home: '/does/not/exist/either', env: {} });
    expect(nowhere).toEqual({ servers: [], problems: [], notes: [], origins: {}, explicit: false });
  });
});

describe('loadConfig explicit flag', () => {
  it.each([
    ['no config anywhere', {}, {}, false],
    ['a .nrepl.edn holding only Clojure nREPL keys', { edn: '{:middleware [a/b]}' }, {}, false],
    ['an empty .nrepl.edn', { edn: '' }, {}, false],
    ['a disabled server', {}, { NREPL_SERVER_NREPL: 'false' }, true],
    ['an invalid server', {}, { NREPL_SERVER_X: '42' }, true],
    ['an unparseable .nrepl.edn', { edn: '{' }, {}, true],
    ['an unloadable .nreplrc.json', { rc: ['.nreplrc.json', '{,}'] as [string, string] }, {}, true],
    ['a broken package.json', { rc: ['package.json', '{,}'] as [string, string] }, {}, false],
    ['a user file server', { user: '{:port 0}' }, {}, true],
  ])('%s → %s', async (_label, files, env, explicit) => {
    const { cwd, home } = setup(files);
    expect((await loadConfig({ verify: verifySpec, cwd, home, env })).explicit).toBe(explicit);
  });

  it('offers a valid default nREPL server for the caller to start', () => {
    expect(ServerSpecSchema.safeParse(DEFAULT_NREPL_SERVER).success).toBe(true);
    expect(DEFAULT_NREPL_SERVER).toMatchObject({ name: 'nrepl', accept: 'nrepl-ts/nrepl', address: '127.0.0.1', port: 0, 'port-file': true });
    expect(Object.isFrozen(DEFAULT_NREPL_SERVER)).toBe(true);
  });
});

describe('loadConfig aliases and paths', () => {
  it('accepts camelCase aliases in JSON env values and cosmiconfig files', async () => {
    const { cwd, home } = setup({ rc: ['nrepl.config.cjs', 'module.exports = { servers: { js: { accept: "nrepl-ts/repl", port: 0, bindErr: false, serverDaemon: false, clientDaemon: false, allowRemote: true, portFile: true, maxMessageBytes: 1, maxConnections: 2, maxSessions: 3, outputBufferBytes: 4 } } };'] });
    const loaded = await loadConfig({ verify: verifySpec, cwd, home, env: { NREPL_SERVER_ENV: '{"accept":"nrepl-ts/prepl","port":0,"tls":{"cert":"c","key":"k","requireClientCert":true}}' } });
    expect(loaded.problems).toEqual([]);
    expect(loaded.servers[1]).toMatchObject({
      name: 'js', 'bind-err': false, 'server-daemon': false, 'client-daemon': false, 'allow-remote': true, 'port-file': true,
      'max-message-bytes': 1, 'max-connections': 2, 'max-sessions': 3, 'output-buffer-bytes': 4,
    });
    expect(loaded.servers[0].tls).toEqual({ cert: path.join(cwd, 'c'), key: path.join(cwd, 'k'), 'require-client-cert': true });
  });

  it('resolves relative paths against the folder of the file that set them, and env paths against cwd', async () => {
    const { cwd, home, user } = setup({
      user: '{:servers {s {:accept "./accept.js#handle" :socket "run/s.sock" :tls {:cert "certs/c.pem" :key "certs/k.pem"}}}}',
      rc: ['.nreplrc.yml', 'servers:\n  s:\n    portFile: ports/s.port\n'],
    });
    const loaded = await loadConfig({ verify: verifySpec, cwd, home, env: { NREPL_SERVER_T: '{:accept nrepl-ts/repl :socket "t.sock"}' } });
    const userDir = path.dirname(user);
    expect(loaded.problems).toEqual([]);
    expect(loaded.servers.find((s) => s.name === 's')).toMatchObject({
      socket: path.join(userDir, 'run/s.sock'), tls: { cert: path.join(userDir, 'certs/c.pem'), key: path.join(userDir, 'certs/k.pem') },
      'port-file': path.join(cwd, 'ports/s.port'), origin: { file: user, baseDir: userDir },
    });
    expect(loaded.servers.find((s) => s.name === 't')).toMatchObject({ socket: path.join(cwd, 't.sock'), origin: { baseDir: cwd } });
  });
});

describe('describeConfig renders one debug line per server', () => {
  it('groups each field under the source that set it', async () => {
    const { cwd, home } = setup({ edn: '{:port 7888}' });
    const loaded = await loadConfig({ verify: verifySpec, cwd, home, env: { NREPL_SERVER_NREPL: '{:max-sessions 2}' } });
    const file = path.join(cwd, '.nrepl.edn');
    expect(describeConfig(loaded)).toEqual([
      `nrepl: accept="nrepl-ts/nrepl" address="127.0.0.1" args=[] bind-err=true server-daemon=true client-daemon=true enabled=true allow-remote=false port-file=true max-message-bytes=67108864 max-connections=64 output-buffer-bytes=8388608 frame-timeout-ms=60000 [default]; port=7888 [${file}]; max-sessions=2 [NREPL_SERVER_NREPL]`,
    ]);
  });

  it('says what happens when no server is configured or enabled', () => {
    const none = { servers: [], problems: [], notes: [], origins: {}, explicit: false };
    expect(describeConfig(none)).toEqual(['no server configured; the default "nrepl" server (nrepl-ts/nrepl on 127.0.0.1, any free port) starts']);
    expect(describeConfig({ ...none, explicit: true })).toEqual(['no server enabled']);
  });
});

describe('validateServer checks a spec given in code', () => {
  it('returns a full spec for a valid map, camelCase allowed', () => {
    const result = validateServer({ name: 'api', accept: './a.js#h', port: 0, maxSessions: 1 }, { verify: verifySpec, source: 'startServer()', baseDir: '/app' });
    expect(result).toEqual({ ok: true, spec: expect.objectContaining({ name: 'api', 'max-sessions': 1, origin: { baseDir: '/app' } }) });
  });

  it('reports every problem, including a missing name', () => {
    const result = validateServer({ accept: 'nrepl-ts/repl', port: 'x' }, { verify: verifySpec, source: 'startServer()', baseDir: '/app' });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems.map(formatProblem)).toEqual([
      'nrepl-ts: startServer(): port: expected an integer 0-65535, got "x"',
      'nrepl-ts: startServer(): missing required key "name"; expected a non-empty string',
    ]);
  });

  it('refuses non-maps and disabled specs', () => {
    const notMap = validateServer('nrepl', { verify: verifySpec, source: 'startServer()', baseDir: '/app' });
    expect(!notMap.ok && notMap.problems.map((p) => p.code)).toEqual([ErrorCodes.CONFIG_INVALID]);
    const disabled = validateServer({ name: 'x', enabled: false }, { verify: verifySpec, source: 'startServer()', baseDir: '/app' });
    expect(!disabled.ok && disabled.problems.map((p) => p.message)).toEqual(['"enabled" is false, so there is nothing to start; remove it or set it to true']);
  });
});
