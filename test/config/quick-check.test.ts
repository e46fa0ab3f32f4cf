import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { quickCheck } from '../../src/shared/config/quick-check';
import { loadConfig } from '../../src/shared/config/load';
import { verifySpec } from '../../src/shared/config/schema';
import { formatProblem } from '../../src/errors';
import { tempTree } from './tmp';

const home = '/nonexistent-home-for-quick-check';

async function both(files: Record<string, string>, env: Record<string, string> = {}) {
  const cwd = tempTree(files);
  const quick = quickCheck({ env, cwd, home });
  const full = await loadConfig({ verify: verifySpec, env, cwd, home });
  return { cwd, quick, full: full.problems.map(formatProblem) };
}

describe('quickCheck gives the loader\'s lines without zod or cosmiconfig', () => {
  it.each([
    ['env value', {}, { NREPL_SERVER_X: '{:prot 5555 :accept nrepl-ts/repl}' }],
    ['env parse error', {}, { NREPL_SERVER_X: '{:port 1' }],
    ['.nrepl.edn', { '.nrepl.edn': '{:servers {repl {:port 0 :accept nrepl-ts/repl :server_daemon true}}}' }, {}],
    ['.nrepl.edn top level', { '.nrepl.edn': '{:prot 7888}' }, {}],
    ['broken .nrepl.edn', { '.nrepl.edn': '{:port' }, {}],
    ['package.json', { 'package.json': JSON.stringify({ nrepl: { servers: { d: { port: 'x', accept: 'nrepl-ts/repl' } } } }) }, {}],
    ['.nreplrc.json', { '.nreplrc.json': JSON.stringify({ servers: { d: { port: 0 } } }) }, {}],
    ['non-loopback from a project file', { '.nrepl.edn': '{:port 0 :bind "0.0.0.0" :allow-remote true}' }, {}],
    ['two sources, one name', { '.nrepl.edn': '{:servers {d {:port 0 :accept nrepl-ts/repl}}}' }, { NREPL_SERVER_D: '{:port "x"}' }],
    ['valid', { '.nrepl.edn': '{:servers {d {:port 0 :accept nrepl-ts/repl}}}' }, { NREPL_SERVER_R: '{:port 0 :accept nrepl-ts/prepl}' }],
  ])('%s', async (_name, files, env) => {
    const { quick, full } = await both(files, env);
    expect(quick.unchecked).toEqual([]);
    expect(quick.lines).toEqual(full);
  });

  it('leaves YAML and JavaScript config files to the worker', async () => {
    for (const file of ['.nreplrc.yaml', 'nrepl.config.js']) {
      const cwd = tempTree({ [file]: file.endsWith('.js') ? 'module.exports = {}' : 'port: 0\n' });
      expect(quickCheck({ env: {}, cwd, home })).toEqual({ lines: [], unchecked: [join(cwd, file)] });
    }
  });

  it('ignores a package.json without "nrepl" and an empty .nreplrc, as the loader does', async () => {
    const { quick, full } = await both({ 'package.json': '{"name":"x"}', '.nreplrc': '' });
    expect(quick).toEqual({ lines: [], unchecked: [] });
    expect(full).toEqual([]);
  });

  it('refuses a server named "" in the rules, with a line naming the file, as zod would', async () => {
    const { cwd, quick, full } = await both({ '.nreplrc.json': JSON.stringify({ servers: { '': { port: 0, accept: 'nrepl-ts/repl' } } }) });
    expect(full).toEqual([`nrepl-ts: ${join(cwd, '.nreplrc.json')}: servers: a server name must be a non-empty string, got ""`]);
    expect(quick.lines).toEqual(full);
  });

  it('searches on past an empty .nreplrc, as the loader does, to the file it loads', async () => {
    const { cwd, quick, full } = await both({ '.nreplrc': '', '.nreplrc.json': JSON.stringify({ servers: { d: { port: 'x', accept: 'nrepl-ts/repl' } } }) });
    expect(quick.lines).toEqual(full);
    expect(full).toHaveLength(1);
    const js = tempTree({ '.nreplrc': '\n', 'nrepl.config.cjs': 'module.exports = { servers: { d: { port: 0, accept: "nrepl-ts/repl" } } }' });
    expect(quickCheck({ env: {}, cwd: js, home }).unchecked, `a JavaScript config behind an empty .nreplrc (${cwd})`).toEqual([join(js, 'nrepl.config.cjs')]);
  });
});
