import { describe, expect, it } from 'vitest';
import { Level, type RawServer } from '../../src/shared/config/raw';
import { checkDefinition } from '../../src/shared/config/validate';
import { ErrorCodes, formatProblem } from '../../src/errors';

function raw(fields: Record<string, unknown>, over: Partial<RawServer> = {}): RawServer {
  return {
    name: 'dev', fields, source: 'NREPL_SERVER_DEV', path: '', level: Level.ENV, baseDir: '/work/app', problems: [], ...over,
  };
}

/** The formatted lines of a definition's problems. */
function lines(fields: Record<string, unknown>, over: Partial<RawServer> = {}): string[] {
  return checkDefinition(raw(fields, over)).problems.map(formatProblem);
}

describe('checkDefinition accepts valid fields', () => {
  it('keeps every known field, normalized to kebab-case', () => {
    const def = checkDefinition(raw({
      name: 'x', accept: 'nrepl-ts/repl', address: 'localhost', port: 0, args: [1], bindErr: false, serverDaemon: false,
      clientDaemon: false, enabled: true, allowRemote: true, portFile: false, maxMessageBytes: 10, maxConnections: 2,
      maxSessions: 3, outputBufferBytes: 4,
    }));
    expect(def.problems).toEqual([]);
    expect([...def.fields.keys()]).toEqual([
      'name', 'accept', 'address', 'port', 'args', 'bind-err', 'server-daemon', 'client-daemon', 'enabled', 'allow-remote',
      'port-file', 'max-message-bytes', 'max-connections', 'max-sessions', 'output-buffer-bytes',
    ]);
    expect(def.fields.get('bind-err')).toMatchObject({ value: false, key: 'bindErr', path: 'bindErr', source: 'NREPL_SERVER_DEV' });
  });

  it('takes the name from a "name" field over the variable or map key, as Clojure does', () => {
    expect(checkDefinition(raw({ name: 'other' })).name).toBe('other');
    expect(checkDefinition(raw({})).name).toBe('dev');
  });

  it.each([
    'nrepl-ts/repl', 'nrepl-ts/prepl', 'nrepl-ts/nrepl', './tools/accept.js#handle', 'some-pkg#handle', '@scope/pkg/sub#run',
    '../accept.mjs', '#internal/accept#$h', '/abs/accept.js',
  ])('accepts the accept reference %j', (accept) => {
    expect(checkDefinition(raw({ accept })).problems).toEqual([]);
  });

  it('resolves relative socket, port-file and tls paths against the base folder', () => {
    const def = checkDefinition(raw({
      socket: 'run/app.sock', portFile: '.port', tls: { cert: 'certs/c.pem', key: '/abs/k.pem', ca: '../ca.pem', requireClientCert: true },
    }, { baseDir: '/proj/conf' }));
    expect(def.problems).toEqual([]);
    expect(def.fields.get('socket')?.value).toBe('/proj/conf/run/app.sock');
    expect(def.fields.get('port-file')?.value).toBe('/proj/conf/.port');
    expect(def.fields.get('tls')?.value).toEqual({ cert: '/proj/conf/certs/c.pem', key: '/abs/k.pem', ca: '/proj/ca.pem', 'require-client-cert': true });
  });

  it('records nil/null as "reset to default" and skips undefined', () => {
    const def = checkDefinition(raw({ address: null, port: undefined }));
    expect(def.problems).toEqual([]);
    expect(def.fields.get('address')?.value).toBeNull();
    expect(def.fields.has('port')).toBe(false);
  });

  it('accepts bind and host for address in every server map', () => {
    for (const key of ['bind', 'host']) {
      const def = checkDefinition(raw({ [key]: '0.0.0.0' }));
      expect(def.problems).toEqual([]);
      expect(def.fields.get('address')).toMatchObject({ value: '0.0.0.0', key });
    }
  });

  it('allows the aliases a source declares', () => {
    const def = checkDefinition(raw({ bind: '0.0.0.0' }, { aliases: { bind: 'address', host: 'address' } }));
    expect(def.problems).toEqual([]);
    expect(def.fields.get('address')).toMatchObject({ value: '0.0.0.0', key: 'bind' });
  });
});

describe('checkDefinition reports each wrong field in one line', () => {
  it.each([
    [{ port: 'abc' }, 'nrepl-ts: NREPL_SERVER_DEV: port: expected an integer 0-65535, got "abc"'],
    [{ port: 70000 }, 'nrepl-ts: NREPL_SERVER_DEV: port: expected an integer 0-65535, got 70000'],
    [{ port: -1 }, 'nrepl-ts: NREPL_SERVER_DEV: port: expected an integer 0-65535, got -1'],
    [{ port: 1.5 }, 'nrepl-ts: NREPL_SERVER_DEV: port: expected an integer 0-65535, got 1.5'],
    [{ port: true }, 'nrepl-ts: NREPL_SERVER_DEV: port: expected an integer 0-65535, got true'],
    [{ name: '' }, 'nrepl-ts: NREPL_SERVER_DEV: name: expected a non-empty string, got ""'],
    [{ accept: 42 }, 'nrepl-ts: NREPL_SERVER_DEV: accept: expected nrepl-ts/repl, nrepl-ts/prepl, nrepl-ts/nrepl or a module specifier with an optional #export, such as "./accept.js#handle", got 42'],
    [{ accept: './a.js#' }, 'nrepl-ts: NREPL_SERVER_DEV: accept: expected nrepl-ts/repl, nrepl-ts/prepl, nrepl-ts/nrepl or a module specifier with an optional #export, such as "./accept.js#handle", got "./a.js#"'],
    [{ accept: 'nrepl-ts/rpl' }, 'nrepl-ts: NREPL_SERVER_DEV: accept: unknown built-in accept "nrepl-ts/rpl"; did you mean "nrepl-ts/repl"?'],
    [{ accept: 'nrepl-ts/socket' }, 'nrepl-ts: NREPL_SERVER_DEV: accept: unknown built-in accept "nrepl-ts/socket"; expected one of nrepl-ts/repl, nrepl-ts/prepl, nrepl-ts/nrepl'],
    [{ address: 7 }, 'nrepl-ts: NREPL_SERVER_DEV: address: expected a host name or IP address string, such as "127.0.0.1", got 7'],
    [{ socket: '' }, 'nrepl-ts: NREPL_SERVER_DEV: socket: expected a unix socket path string, got ""'],
    [{ args: 'x' }, 'nrepl-ts: NREPL_SERVER_DEV: args: expected a vector/array of arguments, got "x"'],
    [{ bindErr: 'yes' }, 'nrepl-ts: NREPL_SERVER_DEV: bindErr: expected a boolean, got "yes"'],
    [{ 'server-daemon': 'false' }, 'nrepl-ts: NREPL_SERVER_DEV: server-daemon: expected a boolean, got "false"'],
    [{ enabled: 1 }, 'nrepl-ts: NREPL_SERVER_DEV: enabled: expected a boolean, got 1'],
    [{ allowRemote: {} }, 'nrepl-ts: NREPL_SERVER_DEV: allowRemote: expected a boolean, got {}'],
    [{ 'port-file': 3 }, 'nrepl-ts: NREPL_SERVER_DEV: port-file: expected true, false or a file path string, got 3'],
    [{ maxConnections: 0 }, 'nrepl-ts: NREPL_SERVER_DEV: maxConnections: expected a positive integer, got 0'],
    [{ 'max-message-bytes': '64MB' }, 'nrepl-ts: NREPL_SERVER_DEV: max-message-bytes: expected a positive integer, got "64MB"'],
    [{ tls: 'certs.pem' }, 'nrepl-ts: NREPL_SERVER_DEV: tls: expected a map with "cert" and "key" file paths, got "certs.pem"'],
    [{ tls: { cert: 'c' } }, 'nrepl-ts: NREPL_SERVER_DEV: tls: missing required key "key"; expected a private key file path string'],
    [{ tls: { cert: 1, key: 'k' } }, 'nrepl-ts: NREPL_SERVER_DEV: tls.cert: expected a certificate file path string, got 1'],
    [{ tls: { cert: 'c', key: 'k', requireClientCert: 'yes' } }, 'nrepl-ts: NREPL_SERVER_DEV: tls.requireClientCert: expected a boolean, got "yes"'],
    [{ args: 'x'.repeat(100) }, `nrepl-ts: NREPL_SERVER_DEV: args: expected a vector/array of arguments, got "${'x'.repeat(57)}..."`],
  ])('%j', (fields, line) => {
    const def = checkDefinition(raw(fields));
    expect(def.problems.map(formatProblem)).toEqual([line]);
    expect(def.problems[0].code).toBe(ErrorCodes.CONFIG_INVALID);
  });

  it('reports unknown keys with the nearest known key, in the user\'s spelling', () => {
    const def = checkDefinition(raw({ prot: 1, adress: 'x', maxConection: 3, bind_err: true, Port: 2 }));
    expect(def.problems.map((p) => p.code)).toEqual(Array(5).fill(ErrorCodes.CONFIG_UNKNOWN_KEY));
    expect(def.problems.map(formatProblem)).toEqual([
      'nrepl-ts: NREPL_SERVER_DEV: prot: unknown key "prot"; did you mean "port"?',
      'nrepl-ts: NREPL_SERVER_DEV: adress: unknown key "adress"; did you mean "address"?',
      'nrepl-ts: NREPL_SERVER_DEV: maxConection: unknown key "maxConection"; did you mean "maxConnections"?',
      'nrepl-ts: NREPL_SERVER_DEV: bind_err: unknown key "bind_err"; did you mean "bind-err"?',
      'nrepl-ts: NREPL_SERVER_DEV: Port: unknown key "Port"; did you mean "port"?',
    ]);
  });

  it('lists the known keys when nothing is close', () => {
    expect(lines({ transport: 'x' })).toEqual([
      'nrepl-ts: NREPL_SERVER_DEV: transport: unknown key "transport"; expected one of: name, accept, address, port, socket, args, bind-err, server-daemon, client-daemon, enabled, allow-remote, tls, port-file, max-message-bytes, max-connections, max-sessions, output-buffer-bytes, frame-timeout-ms',
    ]);
  });

  it('reports unknown keys inside tls', () => {
    const def = checkDefinition(raw({ tls: { cert: 'c', key: 'k', cer: 'x' } }));
    expect(def.problems.map((p) => [p.code, formatProblem(p)])).toEqual([
      [ErrorCodes.CONFIG_UNKNOWN_KEY, 'nrepl-ts: NREPL_SERVER_DEV: tls.cer: unknown key "cer"; did you mean "cert"?'],
    ]);
  });

  it('reports a "__proto__" key as unknown instead of using it', () => {
    const fields = JSON.parse('{"__proto__": {"port": 1}}') as Record<string, unknown>;
    expect(lines(fields)).toEqual(['nrepl-ts: NREPL_SERVER_DEV: __proto__: unknown key "__proto__"; expected one of: name, accept, address, port, socket, args, bind-err, server-daemon, client-daemon, enabled, allow-remote, tls, port-file, max-message-bytes, max-connections, max-sessions, output-buffer-bytes, frame-timeout-ms']);
  });

  it('reports a key given in both spellings', () => {
    const def = checkDefinition(raw({ bindErr: true, 'bind-err': false }));
    expect(def.problems.map((p) => [p.code, formatProblem(p)])).toEqual([
      [ErrorCodes.CONFIG_INVALID, 'nrepl-ts: NREPL_SERVER_DEV: bind-err: "bindErr" and "bind-err" set the same thing; keep only one of them'],
    ]);
  });

  it('prefixes the path of the map inside its file', () => {
    expect(lines({ port: 'abc' }, { source: '/p/.nrepl.edn', path: 'servers.dev' })).toEqual([
      'nrepl-ts: /p/.nrepl.edn: servers.dev.port: expected an integer 0-65535, got "abc"',
    ]);
  });

  it('keeps the reader\'s own problems and reports every bad field, not just the first', () => {
    const readerProblem = { code: ErrorCodes.CONFIG_PARSE, source: 'NREPL_SERVER_DEV', path: '', message: 'x' };
    const def = checkDefinition(raw({ port: 'a', accept: 1 }, { problems: [readerProblem] }));
    expect(def.problems.map((p) => p.path)).toEqual(['', 'port', 'accept']);
  });
});
