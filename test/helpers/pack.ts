/**
 * Packs this repository with `npm pack` and installs the tarball as users get
 * it: into a fresh app folder outside the repository, or globally into a
 * temporary prefix (`npm install -g --prefix`), never into the machine's own.
 * --ignore-scripts: the suite has just built dist/; rebuilding would rewrite
 * files other tests are loading.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tempDir } from './agent';

let tarball: string | undefined;

/** The packed tarball's path (packed once per test file). */
export function packTarball(): string {
  if (tarball) return tarball;
  const packs = tempDir('nrepl-ts-pack-');
  const out = execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', packs], { cwd: ROOT, encoding: 'utf8' });
  tarball = join(packs, out.trim().split('\n').pop()!);
  return tarball;
}

/** Creates an app folder with `files` (name → contents), installs the packed nrepl-ts in it, returns its path. */
export function installPackedApp(files: Record<string, string>, opts: { dev?: boolean } = {}): string {
  const app = tempDir('nrepl-ts-app-');
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'some-app', private: true }));
  for (const [name, contents] of Object.entries(files)) writeFileSync(join(app, name), contents);
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--silent', ...(opts.dev ? ['--save-dev'] : []), packTarball()], { cwd: app, encoding: 'utf8' });
  return app;
}

/** Installs the tarball without --silent and returns npm's stderr (to check it warns about nothing). */
export function installPackedNoisily(): { app: string; stderr: string; status: number | null } {
  const app = tempDir('nrepl-ts-app-');
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'some-app', private: true }));
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', packTarball()], { cwd: app, encoding: 'utf8' });
  return { app, stderr: r.stderr, status: r.status };
}

/** `npm install -g` of the tarball into a fresh prefix; returns the prefix (its bin/ holds nrepl-ts). */
export function installGlobal(): string {
  const prefix = tempDir('nrepl-ts-global-');
  execFileSync('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', '--prefer-offline', '--silent', packTarball()], { encoding: 'utf8' });
  return prefix;
}
