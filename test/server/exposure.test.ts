// Unit tests of server/exposure.ts (who may open a server to the network),
// and of the rule as loadConfig applies it to real config files.
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, validateServer } from '../../src/shared/config/load';
import { verifySpec } from '../../src/shared/config/schema';
import { Level } from '../../src/shared/config/raw';
import { ErrorCodes, formatProblem } from '../../src/errors';
import { exposureProblem, isLoopback, isMutualTls, type ExposureInput } from '../../src/shared/config/exposure';
import { tempTree } from '../config/tmp';

const PROJECT = { source: '/p/.nrepl.edn', path: 'servers.open.allow-remote', level: Level.PROJECT_EDN };
const ENV = { source: 'NREPL_SERVER_OPEN', path: 'allow-remote', level: Level.ENV };
const USER = { source: '/home/u/.nrepl/nrepl.edn', path: 'servers.open.allow-remote', level: Level.USER_EDN };
const ADDRESS = { source: '/p/.nrepl.edn', path: 'servers.open.address', level: Level.PROJECT_EDN };
const MTLS = { cert: 'c', key: 'k', ca: 'ca', 'require-client-cert': true };

const input = (over: Partial<ExposureInput>): ExposureInput => ({
  address: '0.0.0.0', 'allow-remote': false, sources: { address: ADDRESS }, ...over,
});

describe('isLoopback and isMutualTls', () => {
  it.each(['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '::ffff:127.0.0.1'])('%s is loopback', (a) => expect(isLoopback(a)).toBe(true));
  it.each(['0.0.0.0', '::', '10.0.0.1', 'example.com', '::ffff:10.0.0.1'])('%s is not', (a) => expect(isLoopback(a)).toBe(false));
  it('mutual TLS needs require-client-cert and a CA', () => {
    expect(isMutualTls(MTLS)).toBe(true);
    expect(isMutualTls({ ...MTLS, 'require-client-cert': false })).toBe(false);
    expect(isMutualTls({ 'require-client-cert': true }), 'without ca Node would trust any public CA').toBe(false);
    expect(isMutualTls(undefined)).toBe(false);
  });
});

describe('exposureProblem', () => {
  it('loopback addresses and unix sockets never need anything', () => {
    expect(exposureProblem(input({ address: '127.0.0.1' }))).toBeUndefined();
    expect(exposureProblem(input({ socket: '/run/x.sock' }))).toBeUndefined();
  });

  it('mutual TLS suffices when the address or the tls map comes from a source the user controls', () => {
    const TLS_ENV = { source: 'NREPL_SERVER_OPEN', path: 'tls', level: Level.ENV };
    const ADDRESS_ENV = { ...ENV, path: 'address' };
    expect(exposureProblem(input({ tls: MTLS, sources: { address: ADDRESS, tls: TLS_ENV } }))).toBeUndefined();
    expect(exposureProblem(input({ tls: MTLS, sources: { address: ADDRESS_ENV, tls: { ...ADDRESS, path: 'servers.open.tls' } } }))).toBeUndefined();
  });

  it('mutual TLS from project files alone is refused: a repository may ship its own CA and keep a client key', () => {
    const p = exposureProblem(input({ tls: MTLS, sources: { address: ADDRESS, tls: { ...ADDRESS, path: 'servers.open.tls' } } }));
    expect(p).toMatchObject({ code: ErrorCodes.EXPOSED, source: ADDRESS.source, path: ADDRESS.path });
    expect(p!.message).toMatch(/configured by project files alone/);
  });

  it('honours allow-remote from the environment, the API (env level) and the user nrepl.edn', () => {
    for (const source of [ENV, USER]) {
      expect(exposureProblem(input({ 'allow-remote': true, sources: { address: ADDRESS, 'allow-remote': source } }))).toBeUndefined();
    }
  });

  it('ignores allow-remote from a project file and blames that field', () => {
    for (const level of [Level.PROJECT_EDN, Level.PROJECT_RC]) {
      const p = exposureProblem(input({ 'allow-remote': true, tls: { ...MTLS, 'require-client-cert': false }, sources: { address: ADDRESS, 'allow-remote': { ...PROJECT, level } } }));
      expect(p).toMatchObject({ code: ErrorCodes.EXPOSED, source: PROJECT.source, path: PROJECT.path });
      expect(p!.message).toMatch(/^ignored in a project file, so the server will not listen on non-loopback address 0\.0\.0\.0/);
      expect(p!.message, 'both ways out').toMatch(/require client certificates .*:require-client-cert true.* or set :allow-remote true in NREPL_SERVER_<NAME>, the startServer\(\) spec or your user nrepl\.edn/);
    }
  });

  it('TLS without client certificates is not enough; blames address', () => {
    const p = exposureProblem(input({ tls: { cert: 'c', key: 'k', 'require-client-cert': false } }));
    expect(p).toMatchObject({ code: ErrorCodes.EXPOSED, source: ADDRESS.source, path: ADDRESS.path });
    expect(p!.message).toMatch(/^refusing to listen on non-loopback address 0\.0\.0\.0 without client certificates/);
  });
});

describe('loadConfig applies it per source', () => {
  function project(files: Record<string, string>) {
    const root = tempTree({ 'project/': '', 'home/': '', ...files });
    return { cwd: path.join(root, 'project'), home: path.join(root, 'home') };
  }

  it('a project .nrepl.edn cannot open the app with allow-remote; the server is dropped with one problem', async () => {
    const { cwd, home } = project({ 'project/.nrepl.edn': '{:servers {open {:accept nrepl-ts/nrepl :port 0 :address "0.0.0.0" :allow-remote true}}}' });
    const loaded = await loadConfig({ verify: verifySpec, cwd, home, env: {} });
    expect(loaded.servers).toEqual([]);
    expect(loaded.problems.map(formatProblem)).toEqual([
      expect.stringMatching(new RegExp(`^nrepl-ts: ${path.join(cwd, '.nrepl.edn').replace(/[.]/g, '\\.')}: servers\\.open\\.allow-remote: ignored in a project file`)),
    ]);
  });

  it('nor can package.json "nrepl" with TLS but no client certificates', async () => {
    const { cwd, home } = project({
      'project/package.json': JSON.stringify({ nrepl: { servers: { open: { accept: 'nrepl-ts/nrepl', port: 0, address: '0.0.0.0', tls: { cert: 'c', key: 'k' } } } } }),
    });
    const loaded = await loadConfig({ verify: verifySpec, cwd, home, env: {} });
    expect(loaded.servers).toEqual([]);
    expect(loaded.problems).toEqual([expect.objectContaining({ code: ErrorCodes.EXPOSED, source: path.join(cwd, 'package.json'), path: 'nrepl.servers.open.address' })]);
  });

  it('the environment can opt in to a project file’s address, and the user nrepl.edn can too', async () => {
    const { cwd, home } = project({
      'project/.nrepl.edn': '{:servers {open {:accept nrepl-ts/nrepl :port 0 :address "0.0.0.0"}}}',
      'home/.nrepl/nrepl.edn': '{:servers {mine {:accept nrepl-ts/repl :port 0 :address "0.0.0.0" :allow-remote true}}}',
    });
    const loaded = await loadConfig({ verify: verifySpec, cwd, home, env: { NREPL_SERVER_OPEN: '{:allow-remote true}' } });
    expect(loaded.problems).toEqual([]);
    expect(loaded.servers.map((s) => s.name).sort()).toEqual(['mine', 'open']);
  });

  it('the startServer() API may opt in', () => {
    const result = validateServer({ name: 'api', accept: 'nrepl-ts/repl', port: 0, address: '0.0.0.0', allowRemote: true }, { verify: verifySpec, source: 'startServer()', baseDir: '/' });
    expect(result.ok).toBe(true);
    const refused = validateServer({ name: 'api', accept: 'nrepl-ts/repl', port: 0, address: '0.0.0.0' }, { verify: verifySpec, source: 'startServer()', baseDir: '/' });
    expect(refused.ok).toBe(false);
  });
});
