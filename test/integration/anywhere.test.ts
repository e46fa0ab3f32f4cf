// Every way in that the README documents, with nrepl-ts installed as users
// install it (from the packed tarball): globally into a temporary prefix and
// used on an app that does not depend on it (`nrepl-ts run`, `eval "$(nrepl-ts
// env)"` reaching children in other folders, children of children and npm run
// scripts), as a dev dependency through npx, TypeScript entries, node flags.
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, spawnWithAgent, tempDir, waitForNreplPort } from '../helpers/agent';
import { installGlobal, installPackedApp } from '../helpers/pack';
import { runCli, spawnCli } from '../cli/helpers';

let prefix: string;
let bin: string;

// Each level prints, starts the next one in another folder, and the leaf stays up.
const TREE = `const { spawn } = require('node:child_process');
const [depth, ...dirs] = process.argv.slice(2);
console.log('level ' + depth + ' in ' + process.cwd());
if (dirs.length === 0) setInterval(() => {}, 1000);
else spawn(process.execPath, [__filename, String(Number(depth) + 1), ...dirs.slice(1)], { cwd: dirs[0], stdio: 'inherit' }).on('exit', (c) => process.exit(c ?? 1));
`;

function project(files: Record<string, string>): string {
  const dir = tempDir('nrepl-ts-user-app-');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function shell(script: string, cwd: string, env: Record<string, string> = {}) {
  return spawnWithAgent({ via: 'none', command: 'sh', app: '-c', args: [script], cwd, env });
}

beforeAll(() => {
  prefix = installGlobal();
  bin = join(prefix, 'bin/nrepl-ts');
}, 180_000);

describe('installed globally (npm install -g, here into a temporary prefix)', () => {
  it('nrepl-ts run APP works on an app that does not depend on nrepl-ts', async () => {
    const app = project({ 'server.cjs': "globalThis.who = 'plain app'; setInterval(() => {}, 1000); console.log('app ready');\n" });
    const child = spawnCli(['run', 'server.cjs'], { command: bin, cwd: app });
    await waitForNreplPort(child);
    await child.waitFor(/app ready/, { from: 'stdout' });
    expect(execFileSync(bin, ['eval', 'who'], { cwd: app, encoding: 'utf8' })).toBe("'plain app'\n");
  });

  it('nrepl-ts env prints one export line naming this install by absolute URL, merged with NODE_OPTIONS', () => {
    const out = execFileSync(bin, ['env'], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '--no-warnings' } });
    expect(out).toBe(`export NODE_OPTIONS='--no-warnings --import=file://${prefix}/lib/node_modules/nrepl-ts/register.js'\n`);
  });

  it('eval "$(nrepl-ts env)": a child in another folder and a child of a child run, each with the agent', async () => {
    const [a, b, c] = [tempDir('nrepl-ts-cwd-a-'), tempDir('nrepl-ts-cwd-b-'), tempDir('nrepl-ts-cwd-c-')];
    writeFileSync(join(a, 'tree.cjs'), TREE);
    const child = shell(`eval "$('${bin}' env)" && exec node tree.cjs 0 '${b}' '${c}'`, a, { NREPL_SERVER_REPL: '{:port 0 :accept nrepl-ts/repl}' });
    await child.waitFor(/level 2 in /, { from: 'stdout' });
    // An explicitly configured server starts in every process that has the agent: three of them.
    await child.waitFor(/(server repl \(nrepl-ts\/repl\) listening[^\n]*\n[\s\S]*){3}/);
    expect(child.stdout()).toBe(`level 0 in ${a}\nlevel 1 in ${b}\nlevel 2 in ${c}\n`);
    expect(child.stderr()).not.toContain('ERR_MODULE_NOT_FOUND');
  });

  it('the bare specifier in NODE_OPTIONS, by contrast, kills a child in another folder (why env uses the URL)', async () => {
    const app = installPackedApp({ 'tree.cjs': TREE });
    const child = shell(`NODE_OPTIONS='--import nrepl-ts/register' exec node tree.cjs 0 '${tempDir('nrepl-ts-cwd-')}'`, app);
    expect((await child.exited).code).not.toBe(0);
    expect(child.stderr()).toContain("ERR_MODULE_NOT_FOUND");
  });

  it('npm run scripts, also nested, give the app the server and leave npm alone', async () => {
    const app = project({
      'package.json': JSON.stringify({ name: 'user-app', private: true, scripts: { start: 'node server.cjs', outer: 'npm run start' } }),
      'server.cjs': "setInterval(() => {}, 1000); console.log('app ready');\n",
    });
    const child = shell(`eval "$('${bin}' env)" && exec npm run outer`, app);
    await child.waitFor(/app ready/, { from: 'stdout' });
    const port = await waitForNreplPort(child);
    expect(child.stderr().match(/nREPL server started/g)).toHaveLength(1);
    expect((await runCli(['eval', 'process.argv[1]', '--port', String(port)])).stdout).toBe(`'${join(app, 'server.cjs')}'\n`);
  });

  it('run -- NODE-FLAGS and --node-arg pass flags to node, not to the app', async () => {
    const app = project({ 'server.cjs': "setInterval(() => {}, 1000); console.log('app ready ' + JSON.stringify(process.argv.slice(2)));\n" });
    const child = spawnCli(['run', '--node-arg=--no-deprecation', '--', '--no-warnings', '--title', 'fc-app', 'server.cjs', '--inspect'], { command: bin, cwd: app });
    await child.waitFor(/app ready \["--inspect"\]/, { from: 'stdout' });
    await waitForNreplPort(child);
    const out = execFileSync(bin, ['eval', 'process.execArgv.slice(0, 4).join(" ") + " " + process.title'], { cwd: app, encoding: 'utf8' });
    expect(out).toBe("'--no-deprecation --no-warnings --title fc-app fc-app'\n");
  });

  it('run --inspect APP (a node flag before --) says in one line where node flags go', async () => {
    const r = await runCli(['run', '--inspect', 'app.js']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('nrepl-ts run: unknown option --inspect; node options go after --: nrepl-ts run -- --inspect APP (or --node-arg=--inspect); see `nrepl-ts run --help`\n');
  });
});

describe('TypeScript entry files', () => {
  const TS = "const label: string = 'typed'; setInterval(() => {}, 1000); console.log('ts ready ' + label);\n";

  it('run app.ts uses the tsx the app has installed', async () => {
    const app = project({ 'app.ts': TS });
    mkdirSync(join(app, 'node_modules'));
    symlinkSync(join(ROOT, 'node_modules/tsx'), join(app, 'node_modules/tsx'));
    const child = spawnCli(['run', 'app.ts'], { command: bin, cwd: app });
    await child.waitFor(/ts ready typed/, { from: 'stdout' });
    await waitForNreplPort(child);
  });

  it("without tsx: Node's own type stripping where this Node has it, else one line saying what to install", async () => {
    const app = project({ 'app.ts': TS });
    const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
    const child = spawnCli(['run', 'app.ts'], { command: bin, cwd: app });
    if (major > 22 || (major === 22 && minor >= 6)) {
      await child.waitFor(/ts ready typed/, { from: 'stdout' });
      await waitForNreplPort(child);
    } else {
      expect((await child.exited).code).toBe(2);
      expect(child.stderr()).toBe(
        `nrepl-ts run: app.ts is TypeScript and Node ${process.version} cannot strip types (22.6 or later can); install tsx in the app (npm install --save-dev tsx) or pass your own loader: nrepl-ts run -- --import=LOADER app.ts\n`,
      );
    }
  });
});

describe('a dev dependency, through npx', () => {
  it('npx nrepl-ts run APP in the project', async () => {
    const app = installPackedApp({ 'server.cjs': "globalThis.who = 'dev-dep app'; setInterval(() => {}, 1000); console.log('app ready');\n" }, { dev: true });
    const child = shell('exec npx --no-install nrepl-ts run server.cjs', app);
    await waitForNreplPort(child);
    await child.waitFor(/app ready/, { from: 'stdout' });
    const out = execFileSync('npx', ['--no-install', 'nrepl-ts', 'eval', 'who'], { cwd: app, encoding: 'utf8' });
    expect(out).toBe("'dev-dep app'\n");
  });
});
