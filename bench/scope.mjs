// Cost of the REPL conveniences' scope (src/main/eval/scope.ts), in process:
// 1. planning per eval (mention scan + plan) for a one-liner and a 40 KB file;
// 2. a hot loop defined by an eval: unwrapped, wrapped with block lets only
//    (session names), and wrapped with `with` (a built-in module name).
// Run: npm run build && node bench/scope.mjs
import * as vm from 'node:vm';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { planScope, scopeObjects, SCOPE_KEY } = require('../dist/main/eval/scope.js');

function perCall(fn, n) {
  for (let i = 0; i < 1000; i++) fn();
  const t = performance.now();
  for (let i = 0; i < n; i++) fn();
  return ((performance.now() - t) / n) * 1000;
}
const isGlobal = (name) => name in globalThis;
const big = 'const x = require("node:path");\nfunction f(a) { return a.map((v) => v * 2).filter(Boolean) }\n'.repeat(500);
console.log(`plan '1 + 1':            ${perCall(() => planScope('1 + 1', [], isGlobal), 100_000).toFixed(2)} µs`);
console.log(`plan '_ + fs.x':         ${perCall(() => planScope('_ + fs.x', [], isGlobal), 100_000).toFixed(2)} µs`);
console.log(`plan ${(big.length / 1024).toFixed(0)} KB file:          ${perCall(() => planScope(big, ['x', 'f'], isGlobal), 200).toFixed(0)} µs`);

const source = { lastValue: () => 1, lastValues: () => [1], lastError: () => undefined, readLine: () => () => null, stdin: () => null, require, module: { exports: {} } };
function loop(label, code, declared) {
  const plan = planScope(code, declared, isGlobal);
  const text = plan ? plan.prefix + code + plan.suffix : code;
  globalThis[SCOPE_KEY] = plan && scopeObjects(plan, source);
  vm.runInThisContext(text);
  delete globalThis[SCOPE_KEY];
  const t = performance.now();
  vm.runInThisContext(`${declared[1]}()`);
  console.log(`${label}: ${(performance.now() - t).toFixed(0)} ms`);
}
const body = (name, extra) => `var ${name}G = 0; function ${name}() { for (let i = 0; i < 1e7; i++) ${name}G += Math.sqrt(i)${extra}; return ${name}G }`;
loop('hot loop, unwrapped        ', body('plainLoop', ''), ['plainLoopG', 'plainLoop']);
loop('hot loop, lets (uses _)    ', body('letLoop', ' + _'), ['letLoopG', 'letLoop']);
loop('hot loop, with (uses path) ', body('withLoop', ' + path.sep.length'), ['withLoopG', 'withLoop']);
