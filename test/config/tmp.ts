/** Temp folders for config tests: write a tree of files, remove them all after the test file. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll } from 'vitest';

const made: string[] = [];
afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

/** Creates a fresh folder holding `files` (relative path → content; a trailing "/" makes a folder). */
export function tempTree(files: Record<string, string> = {}): string {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'nrepl-ts-config-')));
  made.push(root);
  for (const [rel, content] of Object.entries(files)) {
    const target = path.join(root, rel);
    if (rel.endsWith('/')) {
      fs.mkdirSync(target, { recursive: true });
    } else {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, content);
    }
  }
  return root;
}
