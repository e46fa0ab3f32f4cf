/**
 * `nrepl-ts describe`: what the server is (versions) and what it does (ops),
 * as readable text, or the raw reply with `--json`. Formatting is pure
 * (`formatDescribe`), so it is tested without a server.
 */
import type { Response } from '../client/client';
import { flag, type CommandSpec } from './args';
import { commandArgs } from './command';
import { CliError, ExitCodes, jsonLine, paletteFor, type Io, type Palette } from './io';
import { connectionError, openConnection, TARGET_HELP, TARGET_OPTIONS } from './open';

export const DESCRIBE_SPEC: CommandSpec = {
  command: 'describe',
  options: [...TARGET_OPTIONS, { name: 'json', short: 'j', type: 'flag' }, { name: 'verbose', short: 'v', type: 'flag' }],
};

export const DESCRIBE_HELP = `Usage: nrepl-ts describe [options] [TARGET]

Shows the nREPL server's versions, its ops and aux data.
TARGET is nrepl://HOST:PORT, nrepl+unix:PATH, HOST:PORT or PORT.

Options:
${TARGET_HELP}
  -v, --verbose       also show what each op does and its parameters
  -j, --json          print the describe reply as JSON
  -h, --help          show this help

Examples:
  nrepl-ts describe
  nrepl-ts describe nrepl://127.0.0.1:7888 --verbose`;

const WIDTH = 80;
const isDict = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v);

/** `{major minor incremental version-string}` or anything else, as short text. */
function versionText(value: unknown): string {
  if (isDict(value) && typeof value['version-string'] === 'string') return value['version-string'];
  if (isDict(value)) return [value.major, value.minor, value.incremental].filter((p) => p !== undefined).join('.');
  return String(value);
}

/** Joins words with ", ", wrapping lines at WIDTH under an indent. */
function wrap(words: string[], indent: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    const next = line ? `${line}, ${word}` : word;
    if (line && indent + next.length > WIDTH) {
      lines.push(`${line},`);
      line = word;
    } else line = next;
  }
  if (line) lines.push(line);
  return lines.join(`\n${' '.repeat(indent)}`);
}

function shortValue(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  return jsonLine(value).trimEnd();
}

/** Readable text for a describe reply from the server at `where`. */
export function formatDescribe(reply: Response, where: string, verbose: boolean, color: Palette): string {
  const label = (name: string) => color.bold(name.padEnd(10));
  const lines = [`nREPL server at ${where}`];
  if (isDict(reply.versions)) {
    const versions = Object.entries(reply.versions).map(([name, v]) => `${name} ${versionText(v)}`);
    lines.push(`${label('versions')}${wrap(versions, 10)}`);
  }
  const ops = isDict(reply.ops) ? reply.ops : {};
  const names = Object.keys(ops).sort();
  lines.push(`${label('ops')}${names.length ? wrap(names, 10) : '(none)'}`);
  if (isDict(reply.aux)) {
    for (const [key, value] of Object.entries(reply.aux)) lines.push(`${label('aux')}${key} ${shortValue(value)}`);
  }
  if (verbose) {
    for (const name of names) {
      const op = ops[name];
      lines.push('', color.bold(name));
      if (!isDict(op)) continue;
      if (typeof op.doc === 'string') lines.push(`  ${op.doc}`);
      for (const section of ['requires', 'optional', 'returns']) {
        const fields = op[section];
        if (!isDict(fields)) continue;
        for (const [field, doc] of Object.entries(fields)) lines.push(`  ${color.dim(section.padEnd(9))}${field}: ${shortValue(doc)}`);
      }
    }
  }
  return lines.join('\n');
}

/** Runs `nrepl-ts describe`; resolves with the exit status. */
export async function describeCommand(argv: readonly string[], io: Io): Promise<number> {
  const args = commandArgs(argv, DESCRIBE_SPEC, DESCRIBE_HELP, io);
  if (!args) return ExitCodes.OK;
  if (args.positionals.length > 1) throw new CliError('nrepl-ts describe: expected at most one TARGET; see `nrepl-ts describe --help`');
  const verbose = flag(args, 'verbose');
  const { client, where, resolved } = await openConnection(args, io, args.positionals[0]);
  try {
    const reply = await client.describe(verbose ? { 'verbose?': 1 } : {}, { timeoutMs: 10_000 });
    if (flag(args, 'json')) io.stdout.write(jsonLine(reply));
    else io.stdout.write(`${formatDescribe(reply, where, verbose, paletteFor(io.stdout, io.env))}\n`);
    return ExitCodes.OK;
  } catch (err) {
    throw connectionError(err, resolved);
  } finally {
    void client.end().catch(() => {});
  }
}
