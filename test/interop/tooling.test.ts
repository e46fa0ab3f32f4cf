/**
 * Proves the interop drivers themselves, against servers from Debian (no
 * nrepl-ts code involved): the reference nREPL 1.0 server from
 * libnrepl-clojure and Clojure 1.11's io-prepl socket server, with Clojure
 * code in place of JavaScript. If these fail, interop failures against our
 * own servers say nothing about our servers.
 *
 * Fails (never skips) when the tools are missing, with the install command.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clojureAvailable, clojureClasspath, INTEROP_DIR, parseJsonLines, requireClojure, runClojure } from '../helpers/clojure';
import { killTree, OWN_GROUP } from '../helpers/processes';

const servers: ChildProcess[] = [];
let work = '';

/** Starts a JVM and resolves with the first capture of `pattern` on its stdout. */
function startJvm(args: string[], pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = spawn('java', ['-Dfile.encoding=UTF-8', '-cp', clojureClasspath(), ...args], {
      cwd: work, // the nREPL server writes .nrepl-port into its cwd
      env: { ...process.env, LC_ALL: 'C.UTF-8', NREPL_CONFIG_DIR: join(work, 'no-config') },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...OWN_GROUP,
    });
    servers.push(proc);
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`JVM did not start in 60 s: ${out}${err}`)), 60_000);
    proc.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    proc.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = pattern.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`JVM exited (${code}) before starting: ${out}${err}`));
    });
  });
}

describe('interop drivers against Debian reference servers', () => {
  let nreplPort = '';
  let preplPort = '';

  beforeAll(async () => {
    // A throw here would only mark the tests "skipped" in vitest's counts:
    // each test calls requireClojure() itself so that each one FAILS.
    if (!clojureAvailable()) return;
    work = mkdtempSync(join(tmpdir(), 'nrepl-ts-interop-'));
    [nreplPort, preplPort] = await Promise.all([
      startJvm(['clojure.main', '-m', 'nrepl.cmdline', '--port', '0', '--bind', '127.0.0.1'], /started on port (\d+)/),
      startJvm(
        [
          'clojure.main',
          '-e',
          `(let [s (clojure.core.server/start-server {:name "p" :port 0 :address "127.0.0.1" :accept 'clojure.core.server/io-prepl})]
             (println "prepl port" (.getLocalPort s)) (flush) @(promise))`,
        ],
        /prepl port (\d+)/,
      ),
    ]);
  }, 90_000);

  afterAll(() => {
    for (const s of servers) killTree(s);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('nrepl-client.clj runs the whole scripted conversation', async () => {
    requireClojure();
    const r = await runClojure(
      'nrepl-client.clj',
      ['127.0.0.1', nreplPort, '--steps', join(INTEROP_DIR, 'steps/clojure-reference.edn')],
      { timeoutMs: 60_000 },
    );
    const lines = parseJsonLines(r.stdout);
    const byName = new Map(lines.map((l) => [l.name as string, l]));
    expect(r.code, `${r.command}\n${r.stdout}\n${r.stderr}`).toBe(0);
    expect(lines.at(-1)).toMatchObject({ type: 'summary', ok: true, steps: 15 });
    expect(byName.get('eval-value')).toMatchObject({ ok: true, combined: { value: ['2'], status: ['done'] } });
    expect(byName.get('interrupt')).toMatchObject({ combined: { status: expect.arrayContaining(['interrupted']) } });
    expect(byName.get('stdin')).toMatchObject({ combined: { value: ['"hello"'] } });
  }, 90_000);

  it('nrepl-client.clj fails with exit 1 and the partial responses when expectations fail', async () => {
    requireClojure();
    const steps = [{ name: 'js-on-clojure', msg: { op: 'eval', code: '1+1' }, expect: { value: ['2'] } }];
    const r = await runClojure('nrepl-client.clj', ['127.0.0.1', nreplPort, '--steps', '-'], {
      input: JSON.stringify(steps),
      timeoutMs: 60_000,
    });
    expect(r.code).toBe(1);
    const [step] = parseJsonLines(r.stdout);
    expect(step).toMatchObject({ name: 'js-on-clojure', ok: false, sent: [{ code: '1+1' }] });
  }, 90_000);

  it('nrepl-cmdline.sh evaluates forms piped on stdin', async () => {
    requireClojure();
    const r = await runClojure('nrepl-cmdline.sh', ['127.0.0.1', nreplPort], {
      input: '(+ 1 2)\n"abc"\n',
      timeoutMs: 60_000,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('user=> 3\n');
    expect(r.stdout).toContain('user=> "abc"\n');
  }, 90_000);

  it('remote-prepl.clj forwards text verbatim and prints the maps', async () => {
    requireClojure();
    const r = await runClojure('remote-prepl.clj', ['127.0.0.1', preplPort, '2', '--json'], {
      input: '(+ 1 1) (println "hi")\n',
      timeoutMs: 60_000,
    });
    expect(r.code, r.stderr).toBe(0);
    const lines = parseJsonLines(r.stdout);
    expect(lines).toEqual([
      expect.objectContaining({ tag: 'ret', val: 2, valRaw: '2', form: '(+ 1 1)' }),
      { tag: 'out', val: 'hi\n', valEdn: '"hi\\n"', valType: 'java.lang.String' },
      expect.objectContaining({ tag: 'ret', val: null, valEdn: 'nil' }),
    ]);
  }, 90_000);

  it('remote-prepl.clj keeps non-ASCII text intact even under a POSIX locale', async () => {
    requireClojure();
    const r = await runClojure('remote-prepl.clj', ['127.0.0.1', preplPort, '1', '--json'], {
      input: '"é✓😀"\n',
      env: { LC_ALL: 'POSIX', LANG: undefined },
      timeoutMs: 60_000,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(parseJsonLines(r.stdout)[0]).toMatchObject({ tag: 'ret', val: 'é✓😀' });
  }, 90_000);
});
