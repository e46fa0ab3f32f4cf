/**
 * NREPL_DEBUG gives one ordered report: why the agent started, each source
 * read, the problems, the effective configuration with the source of each
 * field, and where each server listens — each said once.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnWithAgent, tempDir } from '../helpers/agent';

describe('NREPL_DEBUG report', () => {
  it('comes in order, and says each thing once', async () => {
    const cwd = tempDir();
    const edn = join(cwd, '.nrepl.edn');
    writeFileSync(edn, '{:servers {bad {:port 0 :accept nrepl-ts/repl :server_daemon true} prepl {:port 0 :accept nrepl-ts/prepl :bind "127.0.0.1"}}}\n');
    const child = spawnWithAgent({ cwd, env: { NREPL_DEBUG: '1', NREPL_SERVER_DEV: '{:port 0 :accept nrepl-ts/repl}' } });
    await child.waitFor(/\[debug\]: ready: .*\n/);
    const lines = child.stderr().trimEnd().split('\n');
    const at = (pattern: RegExp): number => {
      const found = lines.filter((l) => pattern.test(l));
      expect(found, `${pattern} once in:\n${lines.join('\n')}`).toHaveLength(1);
      return lines.indexOf(found[0]);
    };
    const order = [
      at(/^nrepl-ts\[debug\]: pid \d+: agent starting: preload given on the command line$/),
      at(/^nrepl-ts\[debug\]: config: read NREPL_SERVER_DEV$/),
      at(new RegExp(`^nrepl-ts\\[debug\\]: config: read ${edn.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`)),
      at(/^nrepl-ts: .*\.nrepl\.edn: servers\.bad: not started: unknown key "server_daemon"; did you mean "server-daemon"\?$/),
      at(/^nrepl-ts\[debug\]: config: server "bad" will not start/),
      at(/^nrepl-ts\[debug\]: effective config: dev: accept="nrepl-ts\/repl" port=0 \[NREPL_SERVER_DEV\]; address="127\.0\.0\.1" .*\[default\]$/),
      at(/^nrepl-ts\[debug\]: effective config: prepl: accept="nrepl-ts\/prepl" address="127\.0\.0\.1" port=0 \[.*\.nrepl\.edn\]; .*\[default\]$/),
      at(/^nrepl-ts: server dev \(nrepl-ts\/repl\) listening on 127\.0\.0\.1:\d+ \(pid \d+\)$/),
      at(/^nrepl-ts\[debug\]: ready: dev \(nrepl-ts\/repl\) on 127\.0\.0\.1:\d+, prepl \(nrepl-ts\/prepl\) on 127\.0\.0\.1:\d+$/),
    ];
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(child.stderr()).not.toMatch(/preload via command-line/);
  });
});
