/**
 * Command-line argument parsing for the `nrepl-ts` commands: pure, data in,
 * data out. A command declares its options; `parseArgs` returns the values
 * and positionals, or one sentence saying what is wrong and how to get help.
 *
 * The scanning is Node's own `util.parseArgs` (its tokens); this module only
 * maps our option specs onto it, stops at the first positional for `run`, and
 * turns problems into our one-line messages (Node's strict mode would throw
 * its own wording, and it cannot stop at a positional). It knows nothing about
 * what an option means (ports, paths, targets are checked by target.ts and
 * server-env.ts) and never prints or exits.
 *
 * Accepted forms: `--name value`, `--name=value`, `-n value`, `-nvalue` for
 * string options; `--flag`, `-f` (and groups like `-jf`) for flags; `--` ends
 * the options; a lone `-` is a positional (stdin). With `stopAtPositional`
 * (used by `run`), the first positional ends the options, so an app's own
 * flags pass through untouched.
 */
import { parseArgs as scanArgs } from 'node:util';

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
  const specs = [HELP_OPTION, ...spec.options];
  const config: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const opt of specs) config[opt.name] = { type: opt.type === 'flag' ? 'boolean' : 'string', ...(opt.short ? { short: opt.short } : {}) };
  // Not strict: unknown options and missing values come back as tokens, and are reported below in our words.
  const { tokens } = scanArgs({ args: [...argv], options: config, strict: false, allowPositionals: true, tokens: true });
  const options: Record<string, string | true | string[]> = {};
  const positionals: string[] = [];
  const fail = (what: string): ParseResult => ({ ok: false, error: `nrepl-ts ${spec.command}: ${what}; see \`nrepl-ts ${spec.command} --help\`` });
  for (const token of tokens) {
    if (token.kind === 'option-terminator') {
      positionals.push(...argv.slice(token.index + 1));
      break;
    }
    if (token.kind === 'positional') {
      if (spec.stopAtPositional) {
        positionals.push(...argv.slice(token.index));
        break;
      }
      positionals.push(token.value);
      continue;
    }
    const opt = specs.find((o) => o.name === token.name);
    if (!opt) return fail(`unknown option ${token.rawName}`);
    const shown = token.rawName.startsWith('--') ? `--${opt.name}` : token.rawName;
    if (opt.type === 'flag') {
      if (token.value !== undefined) return fail(`${shown} takes no value`);
      options[opt.name] = true;
      continue;
    }
    if (token.value === undefined) return fail(`${shown} needs a value`);
    const before = options[opt.name];
    options[opt.name] = opt.multiple ? [...(Array.isArray(before) ? before : []), token.value] : token.value;
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
