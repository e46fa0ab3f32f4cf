/**
 * The start every `nrepl-ts` command shares: parse its arguments, stop with
 * one line on bad usage, print its help for --help.
 */
import { flag, parseArgs, type CommandSpec, type ParsedArgs } from './args';
import { CliError, type Io } from './io';

/** Parsed arguments, or undefined once --help has been printed. Throws a CliError on bad usage. */
export function commandArgs(argv: readonly string[], spec: CommandSpec, help: string, io: Io): ParsedArgs | undefined {
  const parsed = parseArgs(argv, spec);
  if (!parsed.ok) throw new CliError(parsed.error);
  if (flag(parsed.args, 'help')) {
    io.stdout.write(`${help}\n`);
    return undefined;
  }
  return parsed.args;
}
