/**
 * NODE_OPTIONS with the agent in it, for `nrepl-ts env`: pure string work.
 *
 * The agent goes in by its absolute file: URL (`--import=file:///…/register.js`),
 * never by the bare `nrepl-ts/register` specifier: NODE_OPTIONS reaches every
 * node child (npm scripts, a child started in another folder, a child of a
 * child), and a bare specifier only resolves where nrepl-ts sits in a
 * node_modules above the child's cwd; elsewhere node dies with
 * ERR_MODULE_NOT_FOUND. A URL also needs no quoting (spaces are %20).
 *
 * It does not read the environment or print; env.ts does.
 */

/** Splits NODE_OPTIONS the way node does: whitespace separates, double quotes group, backslash escapes inside quotes. */
export function splitNodeOptions(value: string): string[] {
  const tokens: string[] = [];
  let current = '';
  let inToken = false;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (quoted) {
      if (ch === '\\' && i + 1 < value.length) current += value[++i];
      else if (ch === '"') quoted = false;
      else current += ch;
    } else if (ch === '"') {
      quoted = true;
      inToken = true;
    } else if (/\s/.test(ch)) {
      if (inToken) tokens.push(current);
      current = '';
      inToken = false;
    } else {
      current += ch;
      inToken = true;
    }
  }
  if (inToken) tokens.push(current);
  return tokens;
}

/** Joins tokens back into NODE_OPTIONS, quoting those that hold whitespace, quotes or backslashes. */
export function joinNodeOptions(tokens: readonly string[]): string {
  return tokens.map((t) => (t === '' || /[\s"\\]/.test(t) ? `"${t.replace(/["\\]/g, (c) => `\\${c}`)}"` : t)).join(' ');
}

const PRELOAD = new Set(['--import', '--require', '-r']);

/** True when a preload value names an nrepl-ts register entry (the bare specifier, or any path/URL ending in nrepl-ts/register.js). */
export function isAgentPreload(value: string, ownUrl: string): boolean {
  return value === ownUrl || value === 'nrepl-ts/register' || /[\\/]nrepl-ts[\\/]register(\.js)?$/.test(value);
}

/** `tokens` without any nrepl-ts preload (`--import X`, `--import=X`, `-r X`), whichever install it named. */
export function withoutAgent(tokens: readonly string[], ownUrl: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const eq = t.indexOf('=');
    if (eq > 0 && PRELOAD.has(t.slice(0, eq)) && isAgentPreload(t.slice(eq + 1), ownUrl)) continue;
    if (PRELOAD.has(t) && i + 1 < tokens.length && isAgentPreload(tokens[i + 1]!, ownUrl)) {
      i++;
      continue;
    }
    out.push(t);
  }
  return out;
}

/**
 * NODE_OPTIONS with this install's agent added to `existing`: the user's own
 * options stay in order, and an agent already in it (this install or another,
 * by specifier or path) is replaced, so running `eval "$(nrepl-ts env)"`
 * twice gives the same value.
 */
export function nodeOptionsWithAgent(existing: string | undefined, ownUrl: string): string {
  return joinNodeOptions([...withoutAgent(splitNodeOptions(existing ?? ''), ownUrl), `--import=${ownUrl}`]);
}

/** NODE_OPTIONS with every nrepl-ts preload taken out (for `nrepl-ts env --unset`). */
export function nodeOptionsWithoutAgent(existing: string | undefined, ownUrl: string): string {
  return joinNodeOptions(withoutAgent(splitNodeOptions(existing ?? ''), ownUrl));
}

/** A POSIX sh line that sets `name` to `value` in the current shell (`export NAME='…'`), or unsets it when empty. */
export function shellExport(name: string, value: string): string {
  if (value === '') return `unset ${name}`;
  return `export ${name}='${value.replace(/'/g, `'\\''`)}'`;
}
