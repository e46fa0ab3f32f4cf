/**
 * Finds the shell commands the docs show: every line of a fenced ```sh block
 * (comment-only lines skipped, a trailing "  # comment" cut off) and every
 * `$ command` line of a transcript block. Pure; test/docs/commands.test.ts
 * runs or checks each one.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One command as the docs show it, and where. */
export interface ShownCommand {
  command: string;
  file: string;
  line: number;
}

/** The commands shown in `markdown` (named `file` in the result). */
export function shownCommands(markdown: string, file: string): ShownCommand[] {
  const found: ShownCommand[] = [];
  let fence: 'sh' | 'other' | undefined;
  markdown.split('\n').forEach((raw, i) => {
    const text = raw.trim();
    if (text.startsWith('```')) {
      fence = fence ? undefined : /^```(sh|bash|shell)\b/.test(text) ? 'sh' : 'other';
      return;
    }
    if (!fence) return;
    let command: string | undefined;
    if (fence === 'sh' && text !== '' && !text.startsWith('#')) command = text;
    if (fence === 'other' && text.startsWith('$ ')) command = text.slice(2);
    if (command !== undefined) found.push({ command: command.split(/\s{2,}#\s/)[0]!.trim(), file, line: i + 1 });
  });
  return found;
}

/** The commands of README.md and docs/*.md under `root`. */
export function docsCommands(root: string): ShownCommand[] {
  const files = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  return files.flatMap((f) => shownCommands(readFileSync(join(root, f), 'utf8'), f));
}
