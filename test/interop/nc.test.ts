// Interop: the plain REPL driven by a real `nc` (netcat-openbsd), as the README tells people to use it.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPS, spawnWithAgent, waitForServerPort } from '../helpers/agent';
import { killTree, OWN_GROUP } from '../helpers/processes';

/** Pipes `input` into `nc -N 127.0.0.1 port` and resolves with everything it printed. */
function nc(port: number, input: string): Promise<string> {
  if (spawnSync('sh', ['-c', 'command -v nc']).status !== 0) {
    throw new Error('nc is missing: install it with `bash scripts/install-test-tools.sh` (Debian netcat-openbsd)');
  }
  return new Promise((resolve, reject) => {
    // -N: shut the socket down at end of input, so .exit / EOF end the session like a person would.
    const child = spawn('nc', ['-N', '127.0.0.1', String(port)], { stdio: ['pipe', 'pipe', 'pipe'], ...OWN_GROUP });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const timer = setTimeout(() => killTree(child), 10_000);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
    child.stdin.end(input);
  });
}

describe('nc against nrepl-ts/repl', () => {
  it('evaluates lines in the running app, with multi-line input, await and errors, then .exit', async () => {
    const child = spawnWithAgent({ app: join(APPS, 'long-running.cjs'), cwd: APPS, env: { NREPL_SERVER_REPL: '{:port 0 :accept nrepl-ts/repl}' } });
    const port = await waitForServerPort(child, 'repl');
    const out = await nc(
      port,
      [
        'appGlobal',
        "require('./lib/state.js').state.hits",
        'function add(a, b) {',
        '  return a + b }',
        'add(40, 2)',
        'await Promise.resolve("awaited")',
        "throw new Error('nc boom')",
        '"still here"',
        '.exit',
        '',
      ].join('\n'),
    );
    expect(out).toContain("'from-the-app'");
    expect(out).toMatch(/\n?1\n/);
    expect(out).toContain('42');
    expect(out).toContain("'awaited'");
    expect(out).toContain('Uncaught Error: nc boom');
    expect(out).toContain("'still here'");
    expect(child.proc.exitCode).toBeNull();
  });
});
