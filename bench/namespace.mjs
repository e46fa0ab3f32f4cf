// Cost of the eval namespaces (src/eval/namespaces.ts) on a hot function
// defined in the REPL, in process, the way evaluate.ts compiles evals:
//   global     - the old model: declarations become globals (no namespace);
//   ns         - namespace model, the function uses only its locals and globals
//                (Math): declared through the block binding, no `with`;
//   ns + with  - namespace model, the function reads a name of the namespace
//                (`scale`), so the namespace joins its scope chain (`with`).
// Variants are interleaved over rounds; medians and ratios to `global`.
// Run: npm run build && node bench/namespace.mjs [rounds]
import * as vm from 'node:vm';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { prepareEval } = require('../dist/worker/eval/transform.js');
const { planScope, scopeObjects, SCOPE_KEY } = require('../dist/main/eval/scope.js');
const { namespaceFor, usesNamespace } = require('../dist/main/eval/namespaces.js');

const rounds = Number(process.argv[2] ?? 7);
const N = 3e6;
const source = { lastValue: () => 1, lastValues: () => [1], lastError: () => undefined, readLine: () => () => null, stdin: () => null, require, module: { exports: {} } };

/** Evaluates like evaluate.ts: transform, plan, compile, run with the scope reachable. */
function evaluate(code, namespace) {
  const p = prepareEval(code, { namespace });
  if (!p.ok) throw new Error(p.error.message);
  const ns = p.namespaced ? namespaceFor('bench') : undefined;
  const isGlobal = (name) => name in globalThis || (ns !== undefined && name in ns);
  let plan;
  if (ns) {
    const withNs = usesNamespace(ns, p.code, p.namespaced.references, p.declared);
    plan = planScope(p.code, p.declared, isGlobal, withNs || p.code.includes('__nrepl_ns') ? { withNs } : undefined);
  } else plan = planScope(p.code, p.declared, isGlobal);
  const text = plan ? plan.prefix + p.code + plan.suffix : p.code;
  globalThis[SCOPE_KEY] = plan && scopeObjects(plan, source, ns);
  try {
    return vm.runInThisContext(text);
  } finally {
    delete globalThis[SCOPE_KEY];
  }
}

evaluate('const scale = 1', true);
const variants = {
  global: (id) => [`function hot${id}(n) { let s = 0; for (let i = 0; i < n; i++) s += Math.sqrt(i); return s }`, false],
  ns: (id) => [`function hot${id}(n) { let s = 0; for (let i = 0; i < n; i++) s += Math.sqrt(i); return s }`, true],
  'ns + with': (id) => [`function hot${id}(n) { let s = 0; for (let i = 0; i < n; i++) s += Math.sqrt(i) * scale; return s }`, true],
};
const times = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
let id = 0;
for (let r = 0; r < rounds; r++) {
  for (const [name, make] of Object.entries(variants)) {
    id += 1;
    const [code, namespace] = make(id);
    evaluate(code, namespace);
    evaluate(`hot${id}(1e5)`, namespace); // warm up
    const t = performance.now();
    evaluate(`hot${id}(${N})`, namespace);
    times[name].push(performance.now() - t);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(times.global);
for (const [name, xs] of Object.entries(times)) {
  console.log(`${name.padEnd(10)} median ${median(xs).toFixed(1).padStart(7)} ms for ${N} iterations  x${(median(xs) / base).toFixed(2)}`);
}
