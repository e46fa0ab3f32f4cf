/**
 * Command-line argument parsing for the `nrepl-ts` commands: pure, data in,
 * data out. A command declares its options; `parseArgs` returns the values
 * and positionals, or one sentence saying what is wrong and how to get help.
 *
 * It knows nothing about what an option means (ports, paths, targets are
 * checked by target.ts and server-env.ts) and never prints or exits.
 *
 * Accepted forms: `--name value`, `--name=value`, `-n value`, `-nvalue` for
 * string options; `--flag`, `-f` for flags; `--` ends the options; a lone `-`
 * is a positional (stdin). With `stopAtPositional` (used by `run`), the first
 * positional ends the options, so an app's own flags pass through untouched.
 */

/** One option a command accepts. */
export interface OptionSpec {
  /** Long name without dashes (`port`); also the key in `ParsedArgs.options`. */
  readonly name: string;
  /** One-letter alias without the dash (`p`). */
  readonly short?: string;
  /** `string` takes a value; `flag` does not. */
  readonly type: 'string' | 'flag';
  /** A string option that may be given several times: its values are kept, in order, as an array. */
  readonly multiple?: boolean;
}

/** What a command accepts. */
export interface CommandSpec {
  /** The command, used in messages (`eval`). */
  readonly command: string;
  readonly options: readonly OptionSpec[];
  /** Stop reading options at the first positional (for `run app.js --app-flag`). */
  readonly stopAtPositional?: boolean;
}

/** Parsed arguments: option values by long name (last one wins, or all of them for `multiple`) and positionals in order. */
export interface ParsedArgs {
  options: Record<string, string | true | string[]>;
  positionals: string[];
}

/** The result of `parseArgs`: the arguments, or one sentence for the user. */
export type ParseResult = { ok: true; args: ParsedArgs } | { ok: false; error: string };

/** `--help`/`-h`, accepted by every command. */
export const HELP_OPTION: OptionSpec = { name: 'help', short: 'h', type: 'flag' };

/** Parses `argv` (without the command name) against `spec`. */
export function parseArgs(argv: readonly string[], spec: CommandSpec): ParseResult {
  const options: Record<string, string | true | string[]> = {};
  const positionals: string[] = [];
  const specs = [HELP_OPTION, ...spec.options];
  const fail = (what: string): ParseResult => ({ ok: false, error: `nrepl-ts ${spec.command}: ${what}; see \`nrepl-ts ${spec.command} --help\`` });
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-' || !arg.startsWith('-')) {
      positionals.push(arg);
      if (spec.stopAtPositional) {
        positionals.push(...argv.slice(i + 1));
        break;
      }
      continue;
    }
    const long = arg.startsWith('--');
    const eq = long ? arg.indexOf('=') : -1;
    const key = long ? arg.slice(2, eq < 0 ? undefined : eq) : arg.slice(1, 2);
    const opt = specs.find((o) => (long ? o.name === key : o.short === key));
    if (!opt) return fail(`unknown option ${long ? `--${key}` : `-${key}`}`);
    const shown = long ? `--${opt.name}` : `-${key}`;
    if (opt.type === 'flag') {
      if (eq >= 0 || (!long && arg.length > 2)) return fail(`${shown} takes no value`);
      options[opt.name] = true;
      continue;
    }
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else if (!long && arg.length > 2) value = arg.slice(2);
    else if (i + 1 < argv.length) value = argv[++i];
    if (value === undefined) return fail(`${shown} needs a value`);
    const before = options[opt.name];
    options[opt.name] = opt.multiple ? [...(Array.isArray(before) ? before : []), value] : value;
  }
  return { ok: true, args: { options, positionals } };
}

/** The string value of an option, or undefined when absent. */
export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.options[name];
  return typeof value === 'string' ? value : undefined;
}

/** Every value of a `multiple` option, in order (empty when absent). */
export function listOption(args: ParsedArgs, name: string): string[] {
  const value = args.options[name];
  return Array.isArray(value) ? value : [];
}

/** True when a flag was given. */
export function flag(args: ParsedArgs, name: string): boolean {
  return args.options[name] === true;
}
