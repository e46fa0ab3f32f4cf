// Main-thread cost of one completion request (src/eval/complete.ts) in a big
// app: 10,000 globals and 60 loaded packages, prefixes `pro` (globals),
// `process.mem` (a chain), `'abc'.toUp` (a literal's members) and `item1`
// (1,111 matching globals). Variants are
// interleaved over rounds: this build (dist/) and, when given, a baseline
// build (BASELINE=<folder holding another build's dist/>, e.g. a copy of the
// dist of the commit before).
// Run: npm run build && node bench/complete.mjs   (ROUNDS=15 by default)
import { existsSync } from 'node:fs';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { median } from './lib.mjs';

const require = createRequire(import.meta.url);
const variants = [['this build', require('../dist/main/tooling/complete.js').completions]];
if (process.env.BASELINE) {
  // A baseline built before or after the layout moved completion to main/tooling/.
  const at = ['dist/main/tooling/complete.js', 'dist/eval/complete.js'].map((p) => join(process.env.BASELINE, p)).find((p) => existsSync(p));
  variants.push(['baseline', require(at).completions]);
}

// The app: 60 packages in node_modules, each loaded, and 10,000 globals of mixed kinds.
const app = mkdtempSync(join(tmpdir(), 'nrepl-bench-complete-'));
const appRequire = createRequire(join(app, 'index.js'));
for (let i = 0; i < 60; i++) {
  const dir = join(app, 'node_modules', `pkg-${i}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.js'), `exports.name = 'pkg-${i}'; exports.fn${i} = () => ${i};`);
  globalThis[`pkg${i}`] = appRequire(`pkg-${i}`);
}
const before = Object.getOwnPropertyNames(globalThis).length;
for (let i = 0; Object.getOwnPropertyNames(globalThis).length < before + 10_000; i++) {
  globalThis[i % 3 === 0 ? `fn_${i}` : i % 3 === 1 ? `value_${i}` : `item${i}`] = i % 3 === 0 ? () => i : { i };
}

const PREFIXES = ["pro", "process.mem", "'abc'.toUp", "item1"];
const ROUNDS = Number(process.env.ROUNDS ?? 15);
const CALLS = 200;
const samples = new Map(variants.flatMap(([name]) => PREFIXES.map((p) => [`${name}|${p}`, []])));
for (const [, fn] of variants) for (const p of PREFIXES) for (let i = 0; i < 50; i++) fn(p); // warm up
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, fn] of round % 2 ? [...variants].reverse() : variants) {
    for (const p of PREFIXES) {
      const t = performance.now();
      for (let i = 0; i < CALLS; i++) fn(p);
      samples.get(`${name}|${p}`).push(((performance.now() - t) / CALLS) * 1000);
    }
  }
}
console.log(`globals: ${Object.getOwnPropertyNames(globalThis).length}, packages loaded: 60, rounds: ${ROUNDS} x ${CALLS} calls`);
for (const p of PREFIXES) {
  const line = variants.map(([name]) => `${name} ${median(samples.get(`${name}|${p}`)).toFixed(1)} µs`);
  const ratio = variants.length === 2 ? `  (baseline/this ${(median(samples.get(`baseline|${p}`)) / median(samples.get(`this build|${p}`))).toFixed(1)}x)` : '';
  console.log(`${JSON.stringify(p).padEnd(14)} median per call: ${line.join(', ')}${ratio}`);
}
// The first completion after an eval lists the global object again (name-index.ts).
const { invalidateNameIndex } = require('../dist/main/tooling/name-index.js');
const cold = [];
for (let i = 0; i < ROUNDS * 5; i++) {
  invalidateNameIndex();
  const t = performance.now();
  variants[0][1]('pro');
  cold.push((performance.now() - t) * 1000);
}
console.log(`"pro" right after an eval (index rebuilt), this build: median ${median(cold).toFixed(0)} µs`);
rmSync(app, { recursive: true, force: true });
