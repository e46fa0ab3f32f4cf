// server-env.ts: `nrepl-ts run` server options as NREPL_SERVER_* EDN variables.
import { describe, expect, it } from 'vitest';
import { serverEnv } from '../../src/cli/server-env';
import { loadConfig } from '../../src/shared/config/load';
import { verifySpec } from '../../src/shared/config/schema';
import { tempDir } from '../helpers/agent';

describe('serverEnv', () => {
  it('sets nothing without server options, so config files and the default apply', () => {
    expect(serverEnv({})).toEqual({ ok: true, env: {} });
  });

  it('defines the nREPL server from --port/--host/--socket', () => {
    expect(serverEnv({ port: '7888' })).toEqual({ ok: true, env: { NREPL_SERVER_NREPL: '{:accept nrepl-ts/nrepl :port 7888}' } });
    expect(serverEnv({ host: '::1' })).toEqual({ ok: true, env: { NREPL_SERVER_NREPL: '{:accept nrepl-ts/nrepl :port 0 :address "::1"}' } });
    expect(serverEnv({ socket: '/tmp/a "b".sock' })).toEqual({ ok: true, env: { NREPL_SERVER_NREPL: '{:accept nrepl-ts/nrepl :socket "/tmp/a \\"b\\".sock"}' } });
  });

  it('adds repl and prepl servers, keeping an nREPL server on any free port unless --no-nrepl', () => {
    expect(serverEnv({ repl: '5555', prepl: '/tmp/p.sock' })).toEqual({
      ok: true,
      env: {
        NREPL_SERVER_NREPL: '{:accept nrepl-ts/nrepl :port 0}',
        NREPL_SERVER_REPL: '{:accept nrepl-ts/repl :port 5555}',
        NREPL_SERVER_PREPL: '{:accept nrepl-ts/prepl :socket "/tmp/p.sock"}',
      },
    });
    expect(serverEnv({ repl: '0', noNrepl: true }).ok && serverEnv({ repl: '0', noNrepl: true })).toMatchObject({ env: { NREPL_SERVER_NREPL: 'off' } });
  });

  it("produces definitions the agent's own config loader accepts", async () => {
    const result = serverEnv({ port: '7888', host: '127.0.0.1', repl: '/tmp/r.sock', prepl: '0' });
    if (!result.ok) throw new Error(result.error);
    const empty = tempDir();
    const loaded = await loadConfig({ verify: verifySpec, env: result.env, cwd: empty, home: empty });
    expect(loaded.problems).toEqual([]);
    const byName = Object.fromEntries(loaded.servers.map((s) => [s.name, s]));
    expect(byName.nrepl).toMatchObject({ accept: 'nrepl-ts/nrepl', port: 7888, address: '127.0.0.1' });
    expect(byName.repl).toMatchObject({ accept: 'nrepl-ts/repl', socket: '/tmp/r.sock' });
    expect(byName.prepl).toMatchObject({ accept: 'nrepl-ts/prepl', port: 0 });
  });

  it('names the bad option', () => {
    expect(serverEnv({ port: 'x' })).toEqual({ ok: false, error: 'nrepl-ts run: --port: expected a port number 0-65535, got "x"; see `nrepl-ts run --help`' });
    expect(serverEnv({ repl: 'abc' })).toMatchObject({ ok: false, error: expect.stringMatching(/--repl: expected a port number 0-65535 or a socket path/) });
    expect(serverEnv({ port: '1', socket: '/s' })).toMatchObject({ ok: false, error: expect.stringMatching(/give one/) });
  });
});
