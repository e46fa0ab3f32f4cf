/**
 * Drives the built `nrepl-ts` command (dist/cli/main.js, so build first) as
 * people and scripts do: `runCli` for one-shot commands with their exit
 * status, `spawnCli` for long-running ones (killed after each test by
 * test/helpers/agent.ts), and `Tmux` for the interactive client in a real
 * pseudo-terminal, polling the screen with a deadline.
 *
 * tmux runs on a server of its own (`-L`, no user config), and every session
 * is killed after each test.
 */
import { spawn, spawnSync } from 'node:child_process';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach } from 'vitest';
import { APPS, cleanEnv, ROOT, spawnWithAgent, type Child } from '../helpers/agent';
import { killTree, OWN_GROUP } from '../helpers/processes';

export const CLI = join(ROOT, 'dist/cli/main.js');
const REPORT_EXIT = join(APPS, 'cli-report-exit.cjs');

const shellQuote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/cli/main.js ...args` to completion (killed after `timeoutMs`). */
export function runCli(args: string[], opts: { cwd?: string; input?: string; env?: Record<string, string | undefined>; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [CLI, ...args], { cwd: opts.cwd ?? ROOT, env: cleanEnv(opts.env), stdio: ['pipe', 'pipe', 'pipe'], ...OWN_GROUP });
    let stdout = '';
    let stderr = '';
    proc.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    proc.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      killTree(proc);
      reject(new Error(`nrepl-ts ${args.join(' ')} did not finish within ${opts.timeoutMs ?? 15_000} ms.\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, opts.timeoutMs ?? 15_000);
    proc.on('error', reject);
    proc.on('close', (code, signal) => {
      clearTimeout(timer);
      killTree(proc); // whatever the command started must not outlive it
      resolve({ code, signal, stdout, stderr });
    });
    proc.stdin.end(opts.input ?? '');
  });
}

const started = new Set<Child>();

/**
 * Stops CLI processes left running by a test with SIGTERM first, which
 * `nrepl-ts run` forwards to its app: the SIGKILL of test/helpers/agent.ts
 * (after this hook) would orphan the app.
 */
afterEach(async () => {
  const running = [...started].filter((c) => c.proc.exitCode === null && c.proc.signalCode === null);
  started.clear();
  for (const c of running) c.proc.kill('SIGTERM');
  await Promise.all(running.map((c) => Promise.race([c.exited, new Promise((r) => setTimeout(r, 3_000))])));
});

/**
 * Starts `node dist/cli/main.js ...args` (or `command ...args`, e.g. an
 * installed bin) in the background, with piped output (see `Child`).
 */
export function spawnCli(args: string[], opts: { cwd?: string; env?: Record<string, string | undefined>; command?: string } = {}): Child {
  const child = opts.command
    ? spawnWithAgent({ via: 'none', command: opts.command, app: args[0], args: args.slice(1), cwd: opts.cwd, env: opts.env })
    : spawnWithAgent({ via: 'none', app: CLI, args, cwd: opts.cwd, env: opts.env });
  started.add(child);
  return child;
}

/** A loopback TCP port nobody listens on (bound briefly, then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** True when the app answers an HTTP GET within `ms`. */
export function answers(port: number, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = get({ host: '127.0.0.1', port, path: '/', timeout: ms }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.on('error', () => resolve(false));
  });
}

/** Waits (10 s at most) until the app's main thread stops answering HTTP. */
export async function untilUnresponsive(port: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (await answers(port, 300)) {
    if (Date.now() > deadline) throw new Error('the app kept answering HTTP: the loop never started');
  }
}

/** Our own tmux server socket (not the user's), removed after the file's tests. */
const SOCKET = join(tmpdir(), `nrepl-ts-cli-${process.pid}.tmux`);
let serial = 0;
const live = new Set<string>();

function tmux(args: string[]): string {
  const result = spawnSync('tmux', ['-S', SOCKET, '-f', '/dev/null', ...args], { encoding: 'utf8', timeout: 10_000 });
  if (result.error) throw new Error(`tmux ${args[0]} failed: ${result.error.message} (install tmux: bash scripts/install-test-tools.sh)`);
  if (result.status !== 0) throw new Error(`tmux ${args.join(' ')} failed (exit ${result.status}): ${result.stderr}`);
  return result.stdout;
}

afterEach(() => {
  for (const name of live) spawnSync('tmux', ['-S', SOCKET, 'kill-session', '-t', name]);
  live.clear();
});
afterAll(() => {
  spawnSync('tmux', ['-S', SOCKET, 'kill-server']);
  rmSync(SOCKET, { force: true });
});

/** A 120x30 terminal running one command, as a person at a keyboard sees it. */
export class Tmux {
  readonly name = `cli-${process.pid}-${++serial}`;

  /**
   * Runs `node dist/cli/main.js ...args` in a new terminal. When it ends, the
   * pane shows `[exit N]` (or `[exit SIGNAL]`) and stays open: a small node
   * wrapper (fixtures/apps/cli-report-exit.cjs) reports it, since a shell
   * around the command would die of a Ctrl-C too.
   */
  constructor(args: string[], opts: { cwd: string; env?: Record<string, string> }) {
    const argv = [process.execPath, REPORT_EXIT, process.execPath, CLI, ...args];
    const env = { TERM: 'xterm-256color', NREPL_TS_HISTORY: '', ...opts.env };
    const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    const create = ['new-session', '-d', '-s', this.name, '-x', '120', '-y', '30', '-c', opts.cwd, ...envArgs, argv.map(shellQuote).join(' ')];
    // Killing the previous test's last session makes our tmux server exit; a new-session that
    // reaches it while it is going down fails with "server exited unexpectedly". Then start anew.
    for (let attempt = 1; ; attempt++) {
      try {
        tmux(create);
        break;
      } catch (err) {
        if (attempt === 3 || !String(err).includes('server exited unexpectedly')) throw err;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
      }
    }
    live.add(this.name);
  }

  /** Sends keys in tmux's notation: text is typed literally, `Enter`, `Tab`, `C-c`, `C-d`, `Up` are keys. */
  keys(...keys: string[]): void {
    for (const key of keys) {
      if (/^(Enter|Tab|Up|Down|Left|Right|BSpace|Escape|C-[a-z\\])$/.test(key)) tmux(['send-keys', '-t', this.name, key]);
      else tmux(['send-keys', '-t', this.name, '-l', key]);
    }
  }

  /** Types a line and presses Enter. */
  line(text: string): void {
    this.keys(text, 'Enter');
  }

  /** The visible screen as text, as tmux captures it: trailing spaces are dropped (`user=> ` reads `user=>`); with `escapes`, color codes too. */
  screen(escapes = false): string {
    return tmux(['capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', this.name]);
  }

  /** Polls the screen until `pattern` matches (or `count` matches are on it); fails with the screen after `timeoutMs`. */
  async waitFor(pattern: RegExp, { timeoutMs = 10_000, count = 1 }: { timeoutMs?: number; count?: number } = {}): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    const global = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
    for (;;) {
      const screen = this.screen();
      if ((screen.match(global) ?? []).length >= count) return screen;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${pattern}${count > 1 ? ` x${count}` : ''}; the screen:\n${screen}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The last non-empty line on the screen (usually the prompt line). */
  lastLine(): string {
    const lines = this.screen().split('\n').filter((l) => l.trim() !== '');
    return lines[lines.length - 1] ?? '';
  }
}
