/**
 * How `nrepl-ts run` starts a TypeScript entry file the way the user's setup
 * would: with tsx when the app can resolve it (like `node --import tsx`),
 * else with Node's own type stripping where this Node has it (on by default
 * from 23.6 and 22.18; behind --experimental-strip-types from 22.6), else one
 * sentence saying what to install. Pure: the Node version and the resolved tsx
 * are passed in.
 *
 * It does not look for a tsconfig or compile anything, and leaves the app's
 * own choice alone: node flags that already load TypeScript win.
 */

/** What to add to node's flags for the entry file, or why it cannot run. */
export type TypeScriptPlan = { ok: true; nodeArgs: string[]; via: 'tsx' | 'node' | 'none' } | { ok: false; error: string };

const TS_FILE = /\.(c|m)?tsx?$/i;

/** Node flags by which the user already chose how TypeScript loads. */
const LOADS_TS = /^(--import|--require|-r|--loader|--experimental-loader)(=|$)|^--(experimental-)?strip-types$|^--experimental-transform-types$/;

/** True when Node `version` (`v22.18.0`) strips types without a flag. */
export function stripsTypesByDefault(version: string): boolean {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  return major > 23 || (major === 23 && minor >= 6) || (major === 22 && minor >= 18);
}

/** True when Node `version` can strip types at all (with --experimental-strip-types before the default). */
export function canStripTypes(version: string): boolean {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 6);
}

/**
 * The plan for `app`: `tsxImport` is the file: URL of the tsx loader the app
 * resolves (undefined when it has none), `userNodeArgs` the node flags given to
 * `run`, `nodeVersion` process.version.
 */
export function typeScriptPlan(app: string, userNodeArgs: readonly string[], tsxImport: string | undefined, nodeVersion: string): TypeScriptPlan {
  if (!TS_FILE.test(app) || userNodeArgs.some((a) => LOADS_TS.test(a))) return { ok: true, nodeArgs: [], via: 'none' };
  if (tsxImport !== undefined) return { ok: true, nodeArgs: ['--import', tsxImport], via: 'tsx' };
  const jsx = /x$/i.test(app);
  if (!jsx && stripsTypesByDefault(nodeVersion)) return { ok: true, nodeArgs: [], via: 'node' };
  if (!jsx && canStripTypes(nodeVersion)) return { ok: true, nodeArgs: ['--experimental-strip-types'], via: 'node' };
  const why = jsx ? 'Node cannot strip types from .tsx files' : `Node ${nodeVersion} cannot strip types (22.6 or later can)`;
  return { ok: false, error: `nrepl-ts run: ${app} is TypeScript and ${why}; install tsx in the app (npm install --save-dev tsx) or pass your own loader: nrepl-ts run -- --import=LOADER ${app}` };
}
