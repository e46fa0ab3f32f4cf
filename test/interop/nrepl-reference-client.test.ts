// Interop: the reference nREPL client (Debian libnrepl-clojure 1.0) drives our nREPL server.
import { describe, expect, it } from 'vitest';
import { spawnWithAgent, tempDir, waitForNreplPort } from '../helpers/agent';
import { parseJsonLines, requireClojure, runClojure } from '../helpers/clojure';

async function startServer() {
  const child = spawnWithAgent({ cwd: tempDir() });
  return { child, port: await waitForNreplPort(child) };
}

describe('reference nREPL client (nrepl.core) against nrepl-ts/nrepl', () => {
  it('runs the scripted conversation: describe, clone, eval with out/err, errors, interrupt, ls-sessions, completions, lookup, load-file, stdin, close', async () => {
    requireClojure();
    const { child, port } = await startServer();
    const result = await runClojure('nrepl-client.clj', ['127.0.0.1', String(port), '--timeout-ms', '10000'], { timeoutMs: 90_000 });
    const steps = parseJsonLines(result.stdout).filter((s) => typeof s.name === 'string' || typeof s.step === 'string');
    const failed = steps.filter((s) => s.ok !== true);
    expect(failed, `failed steps:\n${JSON.stringify(failed, null, 1)}\nstderr: ${result.stderr}`).toEqual([]);
    const names = steps.map((s) => String(s.name ?? s.step));
    for (const op of ['describe', 'clone', 'eval-value', 'eval-out-err', 'eval-error', 'interrupt', 'ls-sessions', 'completions', 'lookup', 'load-file', 'stdin', 'close']) {
      expect(names).toContain(op);
    }
    expect(result.code, result.stderr).toBe(0);
    expect(child.proc.exitCode).toBeNull();
  });

  it('nrepl.cmdline --connect evaluates what is typed at its prompt', async () => {
    requireClojure();
    const { port } = await startServer();
    // cmdline re-reads input with the Clojure reader: these forms are valid JS and survive it unchanged.
    const result = await runClojure('nrepl-cmdline.sh', ['127.0.0.1', String(port)], { input: '"abc"\nMath.PI\nprocess.version\nx=6\nx*7\n', timeoutMs: 90_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("'abc'");
    expect(result.stdout).toContain('3.141592653589793');
    expect(result.stdout).toContain(`'${process.version}'`);
    expect(result.stdout).toMatch(/user=> 42/);
  });
});
