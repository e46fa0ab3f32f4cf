/**
 * Runs the third-party Clojure clients of test/interop/ (reference nREPL 1.0
 * client and cmdline, clojure.core.server/remote-prepl) as child processes.
 *
 * The tools come from Debian packages installed by `scripts/install-clojure.sh`
 * (CI runs it). When they are missing, interop tests must FAIL, not skip:
 * call `requireClojure()` (throws with the install command) at the start of
 * EACH test, or just `runClojure`, which rejects with the same message. (A
 * throw in beforeAll fails the file but vitest counts its tests as skipped.)
 *
 * Keep CLOJURE_JARS in step with scripts/clojure-env.sh.
 */
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { killTree, OWN_GROUP } from './processes';

export const ROOT = resolve(__dirname, '../..');
export const INTEROP_DIR = join(ROOT, 'test/interop');

/** What to run (as root, from the repository root) to get the tools. */
export const CLOJURE_INSTALL_COMMAND = 'bash scripts/install-clojure.sh';

/** Debian's jars: clojure 1.11.1 (+ its spec jars), nrepl 1.0.0, data.json. */
export const CLOJURE_JARS = [
  '/usr/share/java/clojure.jar',
  '/usr/share/java/spec.alpha.jar',
  '/usr/share/java/core.specs.alpha.jar',
  '/usr/share/java/nrepl.jar',
  '/usr/share/java/data.json.jar',
];

export function clojureClasspath(): string {
  return process.env.NREPL_TS_CLOJURE_CP || CLOJURE_JARS.join(':');
}

function javaBin(): string {
  return process.env.NREPL_TS_JAVA || 'java';
}

/** JVM flags for the short-lived clients: C1 only roughly halves start-up. */
function javaOpts(): string[] {
  const v = process.env.NREPL_TS_JAVA_OPTS;
  return (v === undefined ? '-XX:TieredStopAtLevel=1' : v).split(/\s+/).filter(Boolean);
}

let problems: string[] | undefined;

/** What is missing (empty when everything is there). Cached per process. */
export function clojureProblems(): string[] {
  if (problems) return problems;
  const found: string[] = [];
  const java = spawnSync(javaBin(), ['-version'], { encoding: 'utf8', timeout: 30_000 });
  if (java.error || java.status !== 0) found.push(`\`${javaBin()} -version\` failed (${java.error?.message ?? `exit ${java.status}`})`);
  if (!process.env.NREPL_TS_CLOJURE_CP) {
    for (const jar of CLOJURE_JARS) {
      try {
        accessSync(jar, constants.R_OK);
      } catch {
        found.push(`${jar} is missing`);
      }
    }
  }
  problems = found;
  return found;
}

export function clojureAvailable(): boolean {
  return clojureProblems().length === 0;
}

export function missingClojureMessage(): string {
  return (
    `The Clojure interop tools are missing: ${clojureProblems().join('; ')}.\n` +
    `Install them (Debian packages clojure, libnrepl-clojure, libdata-json-clojure) with:\n` +
    `  ${CLOJURE_INSTALL_COMMAND}`
  );
}

/** Throws (so the test fails) when the tools are missing. */
export function requireClojure(): void {
  if (!clojureAvailable()) throw new Error(missingClojureMessage());
}

export interface ClojureResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
  /** The command line, for failure messages. */
  command: string;
}

export interface RunClojureOptions {
  /** Written to the child's stdin, which is then closed (closed at once without it). */
  input?: string;
  /** Kill (SIGKILL) after this long; the result then has timedOut: true. Default 60 s. */
  timeoutMs?: number;
  env?: Record<string, string | undefined>;
}

function commandFor(script: string, args: string[]): { file: string; argv: string[] } {
  const path = isAbsolute(script) ? script : join(INTEROP_DIR, script);
  if (path.endsWith('.sh')) return { file: 'bash', argv: [path, ...args] };
  if (path.endsWith('.clj'))
    return {
      file: javaBin(),
      argv: ['-Dfile.encoding=UTF-8', ...javaOpts(), '-cp', clojureClasspath(), 'clojure.main', path, ...args],
    };
  throw new Error(`runClojure: ${script} is neither a .clj nor a .sh script`);
}

/**
 * Runs a script of test/interop/ (a bare name like 'nrepl-client.clj' is
 * looked up there; .clj runs under `java -cp CP clojure.main`, .sh under bash).
 * Resolves on exit (whatever the code); rejects only when the tools are missing
 * or the process cannot be spawned.
 */
export function runClojure(script: string, args: string[], opts: RunClojureOptions = {}): Promise<ClojureResult> {
  if (!clojureAvailable()) return Promise.reject(new Error(missingClojureMessage()));
  const { file, argv } = commandFor(script, args);
  const command = [file, ...argv].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(file, argv, {
      cwd: ROOT,
      // JDK 17 decodes argv and (without -Dfile.encoding) sockets/stdio by the
      // locale: under POSIX, remote-prepl would turn "é" into "?".
      env: { ...process.env, LC_ALL: 'C.UTF-8', ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      ...OWN_GROUP,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdin.on('error', () => {}); // the child may exit without reading its input
    child.stdin.end(opts.input ?? '');
    const timer = setTimeout(() => {
      timedOut = true;
      killTree(child);
    }, opts.timeoutMs ?? 60_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      killTree(child); // a script's background processes must not outlive it
      resolvePromise({ code, signal, stdout, stderr, timedOut, durationMs: Date.now() - started, command });
    });
  });
}

/** nrepl-client.clj output: one JSON object per line (non-JSON lines are kept as {raw}). */
export function parseJsonLines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        return { raw: l };
      }
    });
}

/** One step of nrepl-client.clj's conversation (see the script's header). */
export interface NreplClientStep {
  name: string;
  kind?: 'message' | 'new-session' | 'interrupt' | 'stdin' | 'close' | 'sleep';
  /** Sent verbatim; string values "$var" are replaced by saved variables. */
  msg?: Record<string, unknown>;
  save?: Record<string, string>;
  saveAs?: string;
  clone?: string;
  session?: string;
  stdin?: string[];
  interruptAfterMs?: number;
  interruptMsg?: Record<string, unknown>;
  ms?: number;
  expect?: Record<string, unknown>;
  expectInterrupt?: Record<string, unknown>;
  expectStdin?: Record<string, unknown>;
}
