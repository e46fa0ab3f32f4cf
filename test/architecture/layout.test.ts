// The layout is the architecture: a file's folder says which thread runs it
// and what it may import (src/README.md). These checks read every import of
// src/ — static, `import type`, `import()` and `require()` — and fail on an
// import across threads or on a cycle, naming the files.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(__dirname, '../../src');

/** Where a file lives, by its path under src/. */
type Room = 'main' | 'worker' | 'seam' | 'shared' | 'client' | 'cli' | 'entry' | 'leaf';

function roomOf(file: string): Room {
  const top = file.split('/')[0]!;
  if (top === 'main' || top === 'worker' || top === 'seam' || top === 'shared' || top === 'client' || top === 'cli') return top;
  if (file === 'register.ts' || file === 'index.ts') return 'entry';
  return 'leaf';
}

/** What each room may import (its own room always). */
const ALLOWED: Record<Room, Room[]> = {
  // The host's main thread: evaluation, output capture, the public API, bridged custom accepts.
  main: ['seam', 'shared', 'leaf'],
  // The agent worker: configuration, sockets, protocols.
  worker: ['seam', 'shared', 'leaf'],
  // The typed seam between the two threads: messages and shared memory slots.
  seam: ['leaf'],
  // Pure code any thread may run (codec, printers, the form reader); it may name the seam's types.
  shared: ['seam', 'leaf'],
  // The nREPL client of the CLI and the tests.
  client: ['shared', 'leaf'],
  cli: ['client', 'shared', 'leaf'],
  // register.ts and index.ts: entry points of the host's main thread.
  entry: ['main', 'seam', 'shared', 'leaf'],
  leaf: [],
};

function sources(dir = SRC): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (name.endsWith('.ts')) out.push(relative(SRC, path));
  }
  return out.sort();
}

const IMPORT = /(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

function importsOf(file: string, known: Set<string>): string[] {
  const text = readFileSync(join(SRC, file), 'utf8');
  const out = new Set<string>();
  for (const m of text.matchAll(IMPORT)) {
    const target = relative(SRC, resolve(SRC, dirname(file), m[1]!)).replace(/\.js$/, '');
    for (const candidate of [`${target}.ts`, `${target}/index.ts`]) if (known.has(candidate)) out.add(candidate);
  }
  return [...out].sort();
}

const FILES = sources();
const KNOWN = new Set(FILES);
const GRAPH = new Map(FILES.map((f) => [f, importsOf(f, KNOWN)]));

describe('layout', () => {
  it('reads the whole source tree', () => {
    expect(FILES.length).toBeGreaterThan(80);
    expect(GRAPH.get('worker/main.ts')!.length).toBeGreaterThan(3);
  });

  it('no file imports across threads: main and worker meet only in seam/ and shared/', () => {
    const crossings: string[] = [];
    for (const [file, deps] of GRAPH) {
      const from = roomOf(file);
      for (const dep of deps) {
        const to = roomOf(dep);
        if (to !== from && !ALLOWED[from].includes(to)) crossings.push(`${file} (${from}) imports ${dep} (${to})`);
      }
    }
    expect(crossings).toEqual([]);
  });

  it('has no import cycles', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const path: string[] = [];
    const visit = (file: string): void => {
      state.set(file, 'open');
      path.push(file);
      for (const dep of GRAPH.get(file) ?? []) {
        if (state.get(dep) === 'open') cycles.push([...path.slice(path.indexOf(dep)), dep].join(' -> '));
        else if (!state.has(dep)) visit(dep);
      }
      path.pop();
      state.set(file, 'done');
    };
    for (const file of FILES) if (!state.has(file)) visit(file);
    expect(cycles).toEqual([]);
  });
});
