/**
 * Splits what follows `nrepl-ts run`'s own options into node's flags, the app
 * and the app's arguments: in `nrepl-ts run -- --inspect -r ./x.js app.js a b`
 * every token before the first one that is not a flag (or a flag's value) is
 * for node. Pure.
 *
 * Node flags that take a separate value are listed in SEPARATE_VALUE; any
 * other flag with a value must use `--flag=value`. It does not check that
 * node knows a flag: node itself says so.
 */

/** Node flags that take their value as the next argument (`-r ./x.js`). */
const SEPARATE_VALUE = new Set([
  '-r', '--require', '--import', '--loader', '--experimental-loader', '-C', '--conditions',
  '--inspect-port', '--debug-port', '--title', '--env-file', '--env-file-if-exists', '--input-type',
  '--stack-trace-limit', '--max-old-space-size', '--diagnostic-dir', '--redirect-warnings', '--disable-warning',
]);

/** Node flags, the app (undefined when none is given) and its arguments. */
export interface SplitRun {
  nodeArgs: string[];
  app: string | undefined;
  appArgs: string[];
}

/** Splits `positionals` (everything after `run`'s options) as described above. */
export function splitNodeArgs(positionals: readonly string[]): SplitRun {
  const nodeArgs: string[] = [];
  let i = 0;
  while (i < positionals.length && positionals[i]!.startsWith('-') && positionals[i] !== '-') {
    const flag = positionals[i]!;
    nodeArgs.push(flag);
    i++;
    if (SEPARATE_VALUE.has(flag) && i < positionals.length) nodeArgs.push(positionals[i++]!);
  }
  return { nodeArgs, app: positionals[i], appArgs: positionals.slice(i + 1) };
}
