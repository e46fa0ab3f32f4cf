/**
 * Packs this repository with `npm pack` and installs the tarball into a fresh
 * app folder outside the repository, as a user's project would get it.
 * --ignore-scripts: the suite has just built dist/; rebuilding would rewrite
 * files other tests are loading.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tempDir } from './agent';

/** Creates an app folder with `files` (name → contents), installs the packed nrepl-ts in it, returns its path. */
export function installPackedApp(files: Record<string, string>): string {
  const packs = tempDir('nrepl-ts-pack-');
  const out = execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', packs], { cwd: ROOT, encoding: 'utf8' });
  const tarball = join(packs, out.trim().split('\n').pop()!);
  const app = tempDir('nrepl-ts-app-');
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'some-app', private: true }));
  for (const [name, contents] of Object.entries(files)) writeFileSync(join(app, name), contents);
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--silent', tarball], { cwd: app, encoding: 'utf8' });
  return app;
}
