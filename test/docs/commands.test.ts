// Every shell command README.md and docs/*.md show is in CATALOGUE below, and
// every entry runs here: against the packed package installed globally (on
// PATH) and as a dev dependency of the README's app, outside the repository,
// with the docs' fixed ports (5555, 7888, 5577) swapped for free ones. The
// few that cannot run in CI (docker, kubectl, ssh, the benchmarks, the suite
// itself) are checked instead: their nrepl-ts options against --help, their
// npm scripts against package.json. A command added to the docs without an
// entry, or an entry no doc shows any more, fails the first test.
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { APPS, cleanEnv, ROOT, spawnWithAgent, tempDir, type Child } from '../helpers/agent';
import { installGlobal, installPackedApp, packTarball } from '../helpers/pack';
import { freePort } from '../cli/helpers';
import { docsCommands } from './shell-blocks';

type Entry =
  /** Starts servers and keeps running: wait for `ready` (stderr, or stdout), then it is killed. */
  | { kind: 'serves'; ready: RegExp; from?: 'stdout'; stdout?: RegExp; env?: 'agent-in-node-options'; files?: Record<string, string>; absent?: RegExp }
  /** Runs while the README's app is up (`nrepl-ts run --repl 5555 --port 7888 app.js`); exits 0 with `stdout`. */
  | { kind: 'client'; stdout: RegExp; input?: string }
  /** Runs to completion in a fresh folder; exits 0. `as` replaces the command (the package name becomes the tarball). */
  | { kind: 'exits'; as: (tarball: string, prefix: string) => string }
  /** Cannot run in CI: `why`; nrepl-ts options are checked against --help, `npm run X` against package.json. */
  | { kind: 'not-in-ci'; why: string };

const ASSIGNMENT_APP = ' node --import nrepl-ts/register app.js';
const STARTED = /nREPL server started on port \d+/;

const CATALOGUE: Record<string, Entry> = {
  'npm ci && npm run demo': { kind: 'not-in-ci', why: 'run on a copy of the repository by the fresh-clone test below' },
  'npm test': { kind: 'not-in-ci', why: 'this suite; its pretest step has its own test (test/scripts/test-tools.test.ts)' },
  'nrepl-ts run app.js': { kind: 'serves', ready: STARTED, stdout: /app on http:\/\/127\.0\.0\.1:\d+/ },
  'npx nrepl-ts run app.js': { kind: 'serves', ready: STARTED },
  'node --import nrepl-ts/register app.js': { kind: 'serves', ready: STARTED },
  'eval "$(nrepl-ts env)"': { kind: 'serves', ready: STARTED, env: 'agent-in-node-options' },
  'NREPL_DISABLE=1 node app.js': { kind: 'serves', ready: /app on http/, from: 'stdout', env: 'agent-in-node-options' },
  'npm install --save-dev nrepl-ts': { kind: 'exits', as: (tarball) => `npm init -y >/dev/null && npm install --save-dev --prefer-offline --no-audit --no-fund ${tarball}` },
  'npm install --global nrepl-ts': { kind: 'exits', as: (tarball, prefix) => `npm install --global --prefix ${prefix} --prefer-offline --no-audit --no-fund ${tarball} && ${prefix}/bin/nrepl-ts --version` },
  'nrepl-ts connect': { kind: 'client', input: "require('./orders').count()\n", stdout: /^0\n$/ },
  'nrepl-ts connect --port 7888': { kind: 'client', input: '1 + 1\n', stdout: /^2\n$/ },
  "nrepl-ts eval \"require('./orders').count()\"": { kind: 'client', stdout: /^0\n$/ },
  "nrepl-ts eval \"require('./orders').add('coffee')\"": { kind: 'client', stdout: /^1\n$/ },
  "echo \"require('./orders').all()\" | nrepl-ts eval -": { kind: 'client', stdout: /^\[\]\n$/ },
  "nrepl-ts eval --json 'console.log(1); 2'": { kind: 'client', stdout: /"out":"1\\n"[\s\S]*"value":"2"[\s\S]*"status":\["done"\]/ },
  'nrepl-ts describe': { kind: 'client', stdout: /^nREPL server at 127\.0\.0\.1:\d+\nversions {2}node / },
  'cd / && nrepl-ts eval 1; echo $?': { kind: 'client', stdout: /^2\n$/ },
  'nc 127.0.0.1 5555': { kind: 'client', input: "require('./orders').count()\n", stdout: /^> 0\n> $/ },
  'docker exec -it my-app nrepl-ts connect': { kind: 'not-in-ci', why: 'needs docker and a container' },
  'kubectl port-forward deploy/my-app 7888:7888': { kind: 'not-in-ci', why: 'needs a Kubernetes cluster' },
  'ssh -L 7888:/run/app/nrepl.sock user@app-host': { kind: 'not-in-ci', why: 'needs a remote host' },
  "NREPL_SERVER_REPL='{:port 5555 :accept nrepl-ts/repl :args [:x 1]}'": { kind: 'serves', ready: /server repl \(nrepl-ts\/repl\) listening/ },
  "NREPL_SERVER_REPL='{\"port\": 5555, \"accept\": \"nrepl-ts/repl\"}'": { kind: 'serves', ready: /server repl \(nrepl-ts\/repl\) listening/ },
  'NREPL_SERVER_REPL=off': {
    kind: 'serves',
    files: { '.nrepl.edn': '{:servers {:repl {:port 0 :accept nrepl-ts/repl}}}' },
    ready: /app on http/,
    from: 'stdout',
    absent: /server repl/,
  },
  "NREPL_SERVER_P='{:port 5577 :accept nrepl-ts/prepl}' node --import nrepl-ts/register app.js": { kind: 'serves', ready: /server p \(nrepl-ts\/prepl\) listening/ },
  "NREPL_SERVER_P='{:port 5577 :accept nrepl-ts/prepl :args [:json]}' node --import nrepl-ts/register app.js": { kind: 'serves', ready: /server p \(nrepl-ts\/prepl\) listening/ },
  'nrepl-ts attach 23380': { kind: 'not-in-ci', why: 'a recorded session with its pids; attach is run by test/integration/attach.test.ts' },
  'nrepl-ts ps': { kind: 'not-in-ci', why: 'a recorded session; ps is run by test/integration/process-list.test.ts' },
  "nrepl-ts eval --pid 23380 'appState'": { kind: 'not-in-ci', why: 'a recorded session with its pids; --pid is run by test/integration/process-list.test.ts' },
  'nrepl-ts attach 18043': { kind: 'not-in-ci', why: 'a recorded session with its pids; the refusals are run by test/integration/attach.test.ts' },
  'npm run bench:peers': { kind: 'not-in-ci', why: 'installs the benchmark peers (minutes)' },
  'npm run bench': { kind: 'not-in-ci', why: 'the benchmarks take minutes on a quiet machine' },
};

const shown = docsCommands(ROOT);
let prefix: string;
let app: string;
let PATH: string;
const ports: Record<string, number> = {};

beforeAll(async () => {
  prefix = installGlobal();
  app = installPackedApp({}, { dev: true });
  cpSync(join(APPS, 'readme-app'), app, { recursive: true });
  PATH = `${join(prefix, 'bin')}:${process.env.PATH}`;
}, 180_000);

// Fresh free ports for every command: a port picked once and reused can be taken meanwhile by a
// test running in parallel (an "address already in use" seen in CI).
beforeEach(async () => {
  for (const p of ['5555', '7888', '5577']) ports[p] = await freePort();
});

/** The command with the docs' fixed ports replaced by this run's free ones. */
function localPorts(command: string): string {
  return command.replace(/\b(5555|7888|5577)\b/g, (p) => String(ports[p]));
}

function sh(script: string, cwd: string, env: Record<string, string> = {}): Child {
  return spawnWithAgent({ via: 'none', command: 'sh', app: '-c', args: [script], cwd, env: { PATH, PORT: '0', ...env } });
}

describe('the docs show only commands this file runs or checks', () => {
  it('every command shown has an entry, and every entry is shown', () => {
    const commands = new Set(shown.map((c) => c.command));
    expect(shown.filter((c) => !(c.command in CATALOGUE)).map((c) => `${c.file}:${c.line}: ${c.command}`)).toEqual([]);
    expect(Object.keys(CATALOGUE).filter((c) => !commands.has(c))).toEqual([]);
  });
});

describe('commands that start an app', () => {
  const serving = Object.entries(CATALOGUE).filter(([, e]) => e.kind === 'serves') as Array<[string, Extract<Entry, { kind: 'serves' }>]>;
  it.each(serving)('%s', async (command, entry) => {
    let script = localPorts(command);
    if (/^NREPL_SERVER_\w+=/.test(command) && !command.includes(' node ')) script += ASSIGNMENT_APP; // a variable shown alone: with the app it configures
    if (command.startsWith('eval ')) script += ' && node app.js';
    const env: Record<string, string> = {};
    if (entry.env === 'agent-in-node-options') {
      const line = spawnSync(join(prefix, 'bin/nrepl-ts'), ['env'], { encoding: 'utf8', env: cleanEnv() }).stdout;
      env.NODE_OPTIONS = /^export NODE_OPTIONS='(.*)'\n$/.exec(line)![1]!;
    }
    let cwd = app;
    if (entry.files) {
      cwd = tempDir('nrepl-ts-readme-app-');
      cpSync(app, cwd, { recursive: true });
      for (const [name, text] of Object.entries(entry.files)) writeFileSync(join(cwd, name), text);
    }
    const child = sh(script, cwd, env);
    await child.waitFor(entry.ready, { from: entry.from ?? 'stderr' });
    if (entry.stdout) await child.waitFor(entry.stdout, { from: 'stdout' });
    if (command.startsWith('NREPL_DISABLE=1') || entry.absent) {
      await new Promise((r) => setTimeout(r, 500)); // the agent would have printed its line by now
      if (entry.absent) expect(child.stderr()).not.toMatch(entry.absent);
      else expect(child.stderr()).toBe('');
    }
    expect(child.stderr()).not.toMatch(/nrepl-ts: .*(error|cannot|unknown)/i);
  });
});

describe('client commands, against the README app', () => {
  const clients = Object.entries(CATALOGUE).filter(([, e]) => e.kind === 'client') as Array<[string, Extract<Entry, { kind: 'client' }>]>;
  it.each(clients)('%s', async (command, entry) => {
    const dir = tempDir('nrepl-ts-readme-app-');
    cpSync(app, dir, { recursive: true });
    const server = sh(`exec nrepl-ts run --port ${ports['7888']} --repl ${ports['5555']} app.js`, dir);
    await server.waitFor(/server repl \(nrepl-ts\/repl\) listening/);
    await server.waitFor(STARTED);
    const input = entry.input ?? '';
    const script = command.startsWith('nc ') ? `${localPorts(command).replace(/^nc /, 'nc -N ')}` : localPorts(command);
    const r = spawnSync('sh', ['-c', script], { cwd: dir, input, encoding: 'utf8', timeout: 20_000, env: cleanEnv({ PATH }) });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(entry.stdout);
    server.proc.kill('SIGTERM');
    await server.exited;
  });
});

describe('install commands, with the packed tarball for the package name', () => {
  const installs = Object.entries(CATALOGUE).filter(([, e]) => e.kind === 'exits') as Array<[string, Extract<Entry, { kind: 'exits' }>]>;
  it.each(installs)('%s', (command, entry) => {
    const dir = tempDir('nrepl-ts-install-');
    const r = spawnSync('sh', ['-c', entry.as(packTarball(), join(dir, 'global'))], { cwd: dir, encoding: 'utf8', timeout: 120_000, env: cleanEnv() });
    expect(r.status, `${command}\n${r.stderr}`).toBe(0);
    expect(r.stderr).not.toContain('install-scripts');
  }, 150_000);
});

describe('commands that cannot run in CI are still checked', () => {
  const offline = Object.entries(CATALOGUE).filter(([, e]) => e.kind === 'not-in-ci');
  it.each(offline)('%s', (command) => {
    // Our own CLI inside it: the subcommand exists and each option is in its --help.
    for (const m of command.matchAll(/nrepl-ts (\w+)((?: -{1,2}[\w-]+(?:[ =]\d+)?)*)/g)) {
      const help = spawnSync(process.execPath, [join(ROOT, 'dist/cli/main.js'), m[1]!, '--help'], { encoding: 'utf8' });
      expect(help.status).toBe(0);
      for (const opt of m[2]!.match(/-{1,2}[\w-]+/g) ?? []) expect(help.stdout).toContain(opt);
    }
    // npm scripts it names exist.
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    for (const m of command.matchAll(/npm (?:run ([\w:-]+)|(test))/g)) expect(scripts[m[1] ?? m[2]!]).toBeDefined();
  });
});
