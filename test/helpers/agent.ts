/**
 * Spawns real node processes with the nrepl-ts preload and watches their
 * output. Every child runs in its own process group and is killed with
 * everything it started after each test (see `cleanupChildren`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach } from 'vitest';
import { killTree, OWN_GROUP, TEST_RUN_VAR } from './processes';

/** Repository root and the register entry, as a path (works from any cwd). */
export const ROOT = resolve(__dirname, '../..');
export const REGISTER = join(ROOT, 'register.js');
export const APPS = join(ROOT, 'fixtures/apps');

/** How the preload is given to node. */
export type PreloadVia = 'import' | 'require' | 'node-options-import' | 'node-options-require' | 'none';

export interface SpawnOptions {
  app?: string;
  args?: string[];
  /** Extra node flags before the app (after the preload). */
  nodeArgs?: string[];
  env?: Record<string, string | undefined>;
  cwd?: string;
  via?: PreloadVia;
  /** Program to run instead of `node` (e.g. a tsx binary). */
  command?: string;
}

/** A running child with its collected output. */
export interface Child {
  proc: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the first match of `pattern` on stderr (or stdout with `from`), rejects on exit/timeout. */
  waitFor(pattern: RegExp, opts?: { from?: 'stdout' | 'stderr'; timeoutMs?: number }): Promise<RegExpMatchArray>;
  /** Resolves with the exit code and signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children = new Set<ChildProcess>();

/**
 * Kills every child spawned by the current test, with its whole process group:
 * also children that exited by themselves, whose descendants (npm's `sh -c`
 * and its node, a forked worker) would otherwise outlive the suite. Registered
 * automatically.
 */
export function cleanupChildren(): void {
  for (const proc of children) killTree(proc);
  children.clear();
}
afterEach(cleanupChildren);

/**
 * An environment without any NREPL_* or NODE_OPTIONS inherited from the test
 * runner, but with the run's marker (test/global-setup.ts finds leftovers by it).
 */
export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k === 'NODE_OPTIONS' || k.startsWith('VITEST')) continue;
    if (k.startsWith('NREPL_') && k !== TEST_RUN_VAR) continue;
    env[k] = v;
  }
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** A fresh empty folder (real path, so it compares equal to process.cwd() in the child). */
export function tempDir(prefix = 'nrepl-ts-'): string {
  return realpathSync(mkdtempSync(join(tmpdir(), prefix)));
}

/** Spawns node (or `command`) with the preload. */
export function spawnWithAgent(opts: SpawnOptions = {}): Child {
  const via = opts.via ?? 'import';
  const env = cleanEnv(opts.env);
  const nodeArgs: string[] = [];
  if (via === 'import') nodeArgs.push('--import', REGISTER);
  if (via === 'require') nodeArgs.push('--require', REGISTER);
  if (via === 'node-options-import') env.NODE_OPTIONS = `--import ${REGISTER}`;
  if (via === 'node-options-require') env.NODE_OPTIONS = `--require ${REGISTER}`;
  nodeArgs.push(...(opts.nodeArgs ?? []));
  const app = opts.app ?? join(APPS, 'long-running.cjs');
  const argv = [...nodeArgs, app, ...(opts.args ?? [])];
  const proc = spawn(opts.command ?? process.execPath, argv, { cwd: opts.cwd ?? tempDir(), env, stdio: ['ignore', 'pipe', 'pipe'], ...OWN_GROUP });
  children.add(proc);
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  const notify = () => listeners.forEach((l) => l());
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    notify();
  });
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => {
    err += d;
    notify();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    proc.once('exit', (code, signal) => {
      // Let the last output chunks arrive before anyone reads them.
      setImmediate(() => {
        notify();
        done({ code, signal });
      });
    }),
  );
  let hasExited = false;
  void exited.then(() => (hasExited = true));
  const waitFor: Child['waitFor'] = (pattern, { from = 'stderr', timeoutMs = 15_000 } = {}) =>
    new Promise((resolveWait, reject) => {
      const check = () => {
        const text = from === 'stderr' ? err : out;
        const match = text.match(pattern);
        if (match) {
          finish();
          resolveWait(match);
        } else if (hasExited) {
          finish();
          reject(new Error(`process exited before ${pattern} appeared on ${from}.\nstdout: ${out}\nstderr: ${err}`));
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`timed out waiting for ${pattern} on ${from}.\nstdout: ${out}\nstderr: ${err}`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      check();
    });
  return { proc, stdout: () => out, stderr: () => err, waitFor, exited };
}

/** Matches the start-up line of a non-nREPL server and returns its port. */
export async function waitForServerPort(child: Child, name: string): Promise<number> {
  const match = await child.waitFor(new RegExp(`server ${name} \\(\\S+\\) listening on [^\\s]+:(\\d+)`));
  return Number(match[1]);
}

/** Matches the standard nREPL start-up line and returns the port. */
export async function waitForNreplPort(child: Child): Promise<number> {
  const match = await child.waitFor(/nREPL server started on port (\d+) on host (\S+) - nrepl:\/\/\S+:\d+/);
  return Number(match[1]);
}
