// The CLI against a server that is not ours: Debian's reference nREPL 1.0
// (Clojure). `connect` only sends text, reads Clojure input as Lisp (the
// server's describe names clojure), and shows the namespace the server
// reports. Fails (never skips) when the tools are missing, with the install
// command (see test/helpers/clojure.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/agent';
import { clojureAvailable, clojureClasspath, requireClojure } from '../helpers/clojure';
import { killTree, OWN_GROUP } from '../helpers/processes';
import { runCli, Tmux } from './helpers';

let server: ChildProcess | undefined;
let port = 0;
let work = '';

beforeAll(async () => {
  // Each test calls requireClojure() so that a missing JVM fails every one of them.
  if (!clojureAvailable()) return;
  work = tempDir('nrepl-cli-reference-');
  port = await new Promise<number>((resolve, reject) => {
    const proc = spawn('java', ['-Dfile.encoding=UTF-8', '-cp', clojureClasspath(), 'clojure.main', '-m', 'nrepl.cmdline', '--port', '0', '--bind', '127.0.0.1'], {
      cwd: work,
      env: { ...process.env, LC_ALL: 'C.UTF-8', NREPL_CONFIG_DIR: join(work, 'no-config') },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...OWN_GROUP,
    });
    server = proc;
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the reference nREPL server did not start in 60 s: ${out}`)), 60_000);
    proc.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /started on port (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    proc.on('exit', (code) => reject(new Error(`the reference nREPL server exited (${code}): ${out}`)));
  });
}, 90_000);

afterAll(() => {
  if (server) killTree(server);
});

describe('nrepl-ts against the reference nREPL server (Clojure)', () => {
  it('eval prints values and exits 1 on an eval error', async () => {
    requireClojure();
    expect(await runCli(['eval', '--port', String(port), '(+ 1 2)'], { timeoutMs: 30_000 })).toMatchObject({ code: 0, stdout: '3\n' });
    const failed = await runCli(['eval', '--port', String(port), '(/ 1 0)'], { timeoutMs: 30_000 });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/Divide by zero/);
    const described = await runCli(['describe'], { cwd: work });
    expect(described.stdout).toMatch(/^versions {2}.*clojure 1\./m);
  });

  it('connect: multi-line forms, Tab, the namespace in the prompt, Ctrl-D', async () => {
    requireClojure();
    const term = new Tmux(['connect'], { cwd: work });
    await term.waitFor(/^user=>$/m, { timeoutMs: 20_000 });
    term.line('(defn sq [x]');
    await term.waitFor(/^ {3}\.\.\.$/m);
    term.line('(* x x))');
    await term.waitFor(/^#'user\/sq\nuser=>$/m, { timeoutMs: 20_000 });
    term.line('(sq 7)');
    await term.waitFor(/^49\nuser=>$/m);
    term.keys('(clojure.string/jo', 'Tab');
    await term.waitFor(/^user=> \(clojure\.string\/join$/m);
    term.line(' "-" [1 2])');
    await term.waitFor(/^"1-2"\nuser=>$/m);
    term.line("(in-ns 'scratch)");
    await term.waitFor(/^scratch=>$/m);
    term.keys('C-d');
    await term.waitFor(/^\[exit 0\]$/m);
  });
});
