import { describe, expect, it } from 'vitest';
import { mergeServer } from '../../src/shared/config/merge';
import { Level, type RawServer } from '../../src/shared/config/raw';
import { SERVER_DEFAULTS } from '../../src/shared/config/schema';
import { checkDefinition } from '../../src/shared/config/validate';
import { ErrorCodes, formatProblem } from '../../src/errors';

const ENV = { source: 'NREPL_SERVER_DEV', level: Level.ENV, baseDir: '/cwd', path: '' } as const;
const RC = { source: '/p/.nreplrc.json', file: '/p/.nreplrc.json', level: Level.PROJECT_RC, baseDir: '/p', path: 'servers.dev' } as const;
const EDN = { source: '/p/.nrepl.edn', file: '/p/.nrepl.edn', level: Level.PROJECT_EDN, baseDir: '/p', path: 'servers.dev' } as const;
const USER = { source: '/home/u/.nrepl/nrepl.edn', file: '/home/u/.nrepl/nrepl.edn', level: Level.USER_EDN, baseDir: '/home/u/.nrepl', path: 'servers.dev' } as const;

function def(where: Omit<RawServer, 'name' | 'fields' | 'problems'>, fields: Record<string, unknown>, over: Partial<RawServer> = {}) {
  return checkDefinition({ name: 'dev', fields, problems: [], ...where, ...over });
}

describe('mergeServer builds a full spec with defaults', () => {
  it('fills every default and records "default" as their origin', () => {
    const merged = mergeServer('dev', [def(ENV, { accept: 'nrepl-ts/repl', port: 5555 })]);
    expect(merged.problems).toEqual([]);
    expect(merged.spec).toEqual({
      name: 'dev', accept: 'nrepl-ts/repl', address: '127.0.0.1', port: 5555, args: [], 'bind-err': true, 'server-daemon': true,
      'client-daemon': true, enabled: true, 'allow-remote': false, 'port-file': false, 'max-message-bytes': 64 * 1024 * 1024,
      'max-connections': 64, 'max-sessions': 256, 'output-buffer-bytes': 8 * 1024 * 1024, 'frame-timeout-ms': 60_000, origin: { baseDir: '/cwd' },
    });
    expect(merged.origins).toMatchObject({ name: 'NREPL_SERVER_DEV', accept: 'NREPL_SERVER_DEV', port: 'NREPL_SERVER_DEV', address: 'default', args: 'default' });
    expect(merged.spec?.['max-message-bytes']).toBe(SERVER_DEFAULTS['max-message-bytes']);
  });

  it('writes a port file by default only for a TCP nREPL server', () => {
    expect(mergeServer('dev', [def(ENV, { accept: 'nrepl-ts/nrepl', port: 0 })]).spec?.['port-file']).toBe(true);
    expect(mergeServer('dev', [def(ENV, { accept: 'nrepl-ts/nrepl', socket: 's' })]).spec?.['port-file']).toBe(false);
    expect(mergeServer('dev', [def(ENV, { accept: 'nrepl-ts/prepl', port: 0 })]).spec?.['port-file']).toBe(false);
    expect(mergeServer('dev', [def(ENV, { accept: 'nrepl-ts/prepl', port: 0, portFile: 'p' })]).spec?.['port-file']).toBe('/cwd/p');
  });

  it('gives a socket server an absolute socket and no port', () => {
    const spec = mergeServer('dev', [def(EDN, { accept: 'nrepl-ts/repl', socket: 'run/s.sock' })]).spec;
    expect(spec?.socket).toBe('/p/run/s.sock');
    expect(spec && 'port' in spec).toBe(false);
  });

  it('defaults require-client-cert inside tls', () => {
    const spec = mergeServer('dev', [def(EDN, { accept: 'nrepl-ts/nrepl', port: 1, tls: { cert: 'c', key: 'k' } })]).spec;
    expect(spec?.tls).toEqual({ cert: '/p/c', key: '/p/k', 'require-client-cert': false });
  });

  it('records the file that set accept, and its folder, as the origin', () => {
    const merged = mergeServer('dev', [def(ENV, { port: 1 }), def(EDN, { accept: './acc.js#h' })]);
    expect(merged.spec?.origin).toEqual({ file: '/p/.nrepl.edn', baseDir: '/p' });
  });

  it('uses the accept a file implies (top-level nREPL keys) when no source sets one', () => {
    const top = def({ ...EDN, path: '' }, { port: 7888 }, { name: 'nrepl', defaultAccept: 'nrepl-ts/nrepl' });
    const merged = mergeServer('nrepl', [top]);
    expect(merged.spec).toMatchObject({ accept: 'nrepl-ts/nrepl', port: 7888, 'port-file': true, origin: { file: '/p/.nrepl.edn', baseDir: '/p' } });
    expect(merged.origins?.accept).toBe('default');
    const overridden = mergeServer('nrepl', [def(ENV, { accept: 'nrepl-ts/prepl' }, { name: 'nrepl' }), top]);
    expect(overridden.spec).toMatchObject({ accept: 'nrepl-ts/prepl', origin: { baseDir: '/cwd' } });
  });
});

describe('mergeServer merges field by field, the higher source winning', () => {
  it('takes each field from the highest source that sets it', () => {
    const merged = mergeServer('dev', [
      def(USER, { accept: 'nrepl-ts/repl', port: 1, address: 'localhost', bindErr: false }),
      def(EDN, { port: 2, args: [1] }),
      def(RC, { port: 3 }),
      def(ENV, { port: 4 }),
    ]);
    expect(merged.spec).toMatchObject({ accept: 'nrepl-ts/repl', port: 4, address: 'localhost', 'bind-err': false, args: [1] });
    expect(merged.origins).toMatchObject({
      accept: USER.source, port: ENV.source, address: USER.source, 'bind-err': USER.source, args: EDN.source, 'max-sessions': 'default',
    });
  });

  it('replaces args and tls whole instead of combining them', () => {
    const merged = mergeServer('dev', [
      def(USER, { accept: 'nrepl-ts/nrepl', port: 1, args: [1, 2, 3], tls: { cert: 'c', key: 'k', ca: 'ca', requireClientCert: true } }),
      def(EDN, { args: ['x'], tls: { cert: 'c2', key: 'k2' } }),
    ]);
    expect(merged.spec?.args).toEqual(['x']);
    expect(merged.spec?.tls).toEqual({ cert: '/p/c2', key: '/p/k2', 'require-client-cert': false });
  });

  it('resolves each relative path against the folder of the source that set it', () => {
    const merged = mergeServer('dev', [
      def(USER, { accept: 'nrepl-ts/nrepl', port: 1, tls: { cert: 'c.pem', key: 'k.pem' } }),
      def(ENV, { portFile: 'port.txt' }),
    ]);
    expect(merged.spec?.tls).toMatchObject({ cert: '/home/u/.nrepl/c.pem', key: '/home/u/.nrepl/k.pem' });
    expect(merged.spec?.['port-file']).toBe('/cwd/port.txt');
  });

  it('lets nil reset a lower source\'s field to its default', () => {
    const merged = mergeServer('dev', [
      def(EDN, { accept: 'nrepl-ts/repl', socket: 's.sock' }),
      def(ENV, { socket: null, port: 5555, address: null }),
    ]);
    expect(merged.problems).toEqual([]);
    expect(merged.spec).toMatchObject({ port: 5555, address: '127.0.0.1' });
    expect(merged.spec?.socket).toBeUndefined();
    expect(merged.origins?.address).toBe('default');
  });

  it('reports a field set twice at the same level (two variables naming the same server)', () => {
    const other = { ...ENV, source: 'NREPL_SERVER_X' };
    const merged = mergeServer('dev', [def(ENV, { accept: 'nrepl-ts/repl', port: 1 }), def(other, { name: 'dev', port: 2 })]);
    expect(merged.spec).toBeUndefined();
    expect(merged.problems.map((p) => [p.code, formatProblem(p)])).toEqual([
      [ErrorCodes.CONFIG_INVALID, 'nrepl-ts: NREPL_SERVER_X: port: server "dev" already sets "port" in NREPL_SERVER_DEV; keep only one of them'],
    ]);
  });

  it('reports a field set twice in one file (top level and servers.nrepl)', () => {
    const top = def({ ...EDN, path: '' }, { port: 7888 }, { name: 'nrepl', defaultAccept: 'nrepl-ts/nrepl' });
    const named = def({ ...EDN, path: 'servers.nrepl' }, { port: 7889, maxSessions: 4 }, { name: 'nrepl' });
    const merged = mergeServer('nrepl', [top, named]);
    expect(merged.problems.map(formatProblem)).toEqual([
      'nrepl-ts: /p/.nrepl.edn: servers.nrepl.port: server "nrepl" already sets "port" at "port"; keep only one of them',
    ]);
    expect(mergeServer('nrepl', [top, def({ ...EDN, path: 'servers.nrepl' }, { maxSessions: 4 }, { name: 'nrepl' })]).spec)
      .toMatchObject({ port: 7888, 'max-sessions': 4, accept: 'nrepl-ts/nrepl' });
  });
});

describe('mergeServer disables and drops servers', () => {
  it('lets enabled false from a higher source remove the server', () => {
    const merged = mergeServer('dev', [def(EDN, { accept: 'nrepl-ts/repl', port: 1 }), def(ENV, { enabled: false })]);
    expect(merged).toEqual({ name: 'dev', disabledBy: 'NREPL_SERVER_DEV', problems: [] });
  });

  it('does not require accept or port of a disabled server', () => {
    expect(mergeServer('dev', [def(ENV, { enabled: false })]).problems).toEqual([]);
  });

  it('keeps a lower source\'s enabled false unless a higher one sets true', () => {
    expect(mergeServer('dev', [def(USER, { accept: 'nrepl-ts/repl', port: 1, enabled: false }), def(ENV, { port: 2 })]).spec).toBeUndefined();
    expect(mergeServer('dev', [def(USER, { accept: 'nrepl-ts/repl', port: 1, enabled: false }), def(ENV, { enabled: true })]).spec?.port).toBe(1);
  });

  it('drops the server when any of its definitions has a problem, even one a higher source overrides', () => {
    const merged = mergeServer('dev', [def(USER, { accept: 'nrepl-ts/repl', port: 'abc' }), def(ENV, { port: 1 })]);
    expect(merged.spec).toBeUndefined();
    expect(merged.problems.map(formatProblem)).toEqual(['nrepl-ts: /home/u/.nrepl/nrepl.edn: servers.dev.port: expected an integer 0-65535, got "abc"']);
  });

  it('reports a missing accept on the highest source that defines the server', () => {
    const merged = mergeServer('dev', [def(EDN, { port: 1 }), def(ENV, { maxSessions: 2 })]);
    expect(merged.problems.map((p) => [p.code, formatProblem(p)])).toEqual([[ErrorCodes.CONFIG_INVALID,
      'nrepl-ts: NREPL_SERVER_DEV: missing required key "accept"; expected nrepl-ts/repl, nrepl-ts/prepl, nrepl-ts/nrepl or a module specifier with an optional #export, such as "./accept.js#handle"']]);
  });

  it('reports a missing port (and no socket)', () => {
    const merged = mergeServer('dev', [def(EDN, { accept: 'nrepl-ts/repl' })]);
    expect(merged.problems.map((p) => [p.code, formatProblem(p)])).toEqual([[ErrorCodes.CONFIG_INVALID,
      'nrepl-ts: /p/.nrepl.edn: servers.dev: missing required key "port"; expected an integer 0-65535 (0 picks a free port), or set "socket" to a unix socket path']]);
  });

  it('reports missing accept and port together', () => {
    expect(mergeServer('dev', [def(ENV, {})]).problems.map((p) => p.message.split(';')[0])).toEqual([
      'missing required key "accept"', 'missing required key "port"',
    ]);
  });

  it('names both keys when socket is combined with port', () => {
    const merged = mergeServer('dev', [def(ENV, { accept: 'nrepl-ts/repl', socket: '/s', port: 1 })]);
    expect(merged.problems.map((p) => [p.code, formatProblem(p)])).toEqual([[ErrorCodes.CONFIG_INVALID,
      'nrepl-ts: NREPL_SERVER_DEV: socket: "socket" and "port" cannot both be set: a server listens either on a unix socket or on a TCP address and port; remove one of them']]);
  });

  it('names all three keys, as written, when socket is combined with port and bind', () => {
    const top = def({ ...EDN, path: '' }, { socket: '/s', port: 1, bind: '::1' }, { name: 'nrepl', defaultAccept: 'nrepl-ts/nrepl', aliases: { bind: 'address' } });
    expect(mergeServer('nrepl', [top]).problems.map(formatProblem)).toEqual([
      'nrepl-ts: /p/.nrepl.edn: socket: "socket" cannot be combined with "port" or "bind": a server listens either on a unix socket or on a TCP address and port; remove "socket" or the other two',
    ]);
  });

  it('says where the other key came from when sources differ', () => {
    const merged = mergeServer('dev', [def(EDN, { accept: 'nrepl-ts/repl', socket: '/s' }), def(ENV, { port: 1 })]);
    expect(merged.problems.map(formatProblem)).toEqual([
      'nrepl-ts: NREPL_SERVER_DEV: port: "socket" (from /p/.nrepl.edn) and "port" cannot both be set: a server listens either on a unix socket or on a TCP address and port; remove one of them',
    ]);
  });
});
