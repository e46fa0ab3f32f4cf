/**
 * What `nrepl-ts attach` decides from a target's command line before it
 * touches the target: which node flags it was started with (only those
 * before the script count: `node app.js --disable-sigusr1` passes the flag
 * to the app), whether SIGUSR1 is switched off, which host and port its
 * inspector will open on, and whether the agent supports its Node version.
 *
 * Pure: the caller reads /proc and passes the text in.
 */

/** Node flags that take their value as the next argument. */
const VALUE_FLAGS = new Set([
  '-r', '--require', '--import', '--loader', '--experimental-loader', '--inspect-port', '--debug-port', '--title',
  '--conditions', '-C', '--input-type', '--env-file', '--stack-trace-limit', '--max-old-space-size', '--openssl-config',
  '--redirect-warnings', '--diagnostic-dir', '--report-dir', '--watch-path', '--test-reporter', '--experimental-config-file',
]);

/** The node flags of a command line (without the executable): everything before the script, `-e`, `-p` or `--`. Pure. */
export function nodeFlags(args: readonly string[]): string[] {
  const flags: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--' || !arg.startsWith('-') || arg === '-') break;
    flags.push(arg);
    if (['-e', '--eval', '-p', '--print'].includes(arg)) break;
    if (VALUE_FLAGS.has(arg) && i + 1 < args.length) flags.push(args[++i]!);
  }
  return flags;
}

/** NODE_OPTIONS split the way Node does: on blanks, with double quotes grouping. Pure. */
export function splitNodeOptions(text: string | undefined): string[] {
  if (!text) return [];
  const out: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (const match of text.matchAll(pattern)) out.push(match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : match[2]!);
  return out;
}

/** All flags in effect: NODE_OPTIONS first, then the command line's (which win). Pure. */
export function effectiveFlags(args: readonly string[], nodeOptions: string | undefined): string[] {
  return [...splitNodeOptions(nodeOptions), ...nodeFlags(args)];
}

/** True when the target ignores SIGUSR1 (`--disable-sigusr1`, Node 22.14+/23.7+). Pure. */
export function disableSigusr1Flag(args: readonly string[], nodeOptions: string | undefined): boolean {
  return effectiveFlags(args, nodeOptions).includes('--disable-sigusr1');
}

/** Where the target's inspector opens: `--inspect-port`, `--inspect[-brk|-wait]=[host:]port`, default 127.0.0.1:9229. Pure. */
export function inspectorAddress(args: readonly string[], nodeOptions: string | undefined): { host: string; port: number } {
  let host = '127.0.0.1';
  let port = 9229;
  const flags = effectiveFlags(args, nodeOptions);
  const apply = (value: string) => {
    const match = /^(?:\[?([^\]]*?)\]?:)?(\d+)$/.exec(value);
    if (!match) {
      if (value) host = value;
      return;
    }
    if (match[1]) host = match[1];
    port = Number(match[2]);
  };
  for (let i = 0; i < flags.length; i++) {
    const flag = flags[i]!;
    const eq = flag.indexOf('=');
    const name = eq < 0 ? flag : flag.slice(0, eq);
    const value = eq < 0 ? undefined : flag.slice(eq + 1);
    if (name === '--inspect-port' || name === '--debug-port') apply(value ?? flags[++i] ?? '');
    else if (['--inspect', '--inspect-brk', '--inspect-wait'].includes(name) && value !== undefined) apply(value);
  }
  if (host === 'localhost' || host === '0.0.0.0') host = '127.0.0.1';
  return { host, port };
}

/** Node versions the agent runs on (package.json engines: ^20.19.0 || >=22.12.0). Pure. */
export function supportedNode(version: string): boolean {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version.trim());
  if (!match) return false;
  const [major, minor] = [Number(match[1]), Number(match[2])];
  if (major === 20) return minor >= 19;
  if (major === 22) return minor >= 12;
  return major > 22;
}

/** The value of `name` in the NUL-separated text of /proc/<pid>/environ. Pure. */
export function environValue(environ: string, name: string): string | undefined {
  for (const pair of environ.split('\0')) {
    if (pair.startsWith(`${name}=`)) return pair.slice(name.length + 1);
  }
  return undefined;
}
