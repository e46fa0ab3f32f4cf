/**
 * `nrepl-ts eval CODE`: one evaluation for scripts. Values go to stdout one
 * per line, `out` to stdout and `err` to stderr as they stream in; the exit
 * status is 0, 1 for `eval-error` (or another error status), 2 when there is
 * no server to talk to. `--json` prints every response as one JSON line
 * instead. Ctrl-C sends `interrupt` (a second one gives up at once).
 */
import { hasStatus, type Response } from '../client/client';
import { flag, stringOption, type CommandSpec } from './args';
import { commandArgs } from './command';
import { CliError, ExitCodes, jsonLine, OutputWriter, type Io } from './io';
import { connectionError, openConnection, TARGET_HELP, TARGET_OPTIONS } from './open';

export const EVAL_SPEC: CommandSpec = {
  command: 'eval',
  options: [
    ...TARGET_OPTIONS,
    { name: 'json', short: 'j', type: 'flag' },
    { name: 'session', type: 'string' },
    { name: 'pids', type: 'string' },
    { name: 'all-of', type: 'string' },
  ],
};

export const EVAL_HELP = `Usage: nrepl-ts eval [options] CODE
       nrepl-ts eval [options] -          (read the code from stdin)

Evaluates CODE once in the app behind the nREPL server and prints its value.
Output the code writes goes to stdout (out) and stderr (err) as it happens.

Options:
${TARGET_HELP}
  -j, --json          print every response message as one JSON line
      --session ID    evaluate in an existing session (see \`nrepl-ts sessions\`)
      --pids 11,12    evaluate in each of these agent processes: one labelled result each
      --all-of PID    the same in PID and every agent process descending from it
  -h, --help          show this help

Exit status: 0 success, 1 evaluation error, 2 usage or connection problem,
130 interrupted with Ctrl-C.

Examples:
  nrepl-ts eval '1 + 1'
  nrepl-ts eval --port 7888 'process.memoryUsage().rss'
  echo 'await fetch("http://localhost:3000").then(r => r.status)' | nrepl-ts eval -
  nrepl-ts eval --json 'console.log("hi"); 42'`;

/** Statuses that mean the request failed, besides `eval-error`. */
const ERROR_STATUSES = ['error', 'unknown-session', 'unknown-op', 'namespace-not-found', 'interrupted'];

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  stream.setEncoding('utf8');
  for await (const chunk of stream) text += chunk;
  return text;
}

/** Runs `nrepl-ts eval`; resolves with the exit status. */
export async function evalCommand(argv: readonly string[], io: Io): Promise<number> {
  const args = commandArgs(argv, EVAL_SPEC, EVAL_HELP, io);
  if (!args) return ExitCodes.OK;
  if (args.positionals.length !== 1) {
    const what = args.positionals.length === 0 ? 'missing CODE' : `expected one CODE argument, got ${args.positionals.length} (quote the code)`;
    throw new CliError(`nrepl-ts eval: ${what}; see \`nrepl-ts eval --help\``);
  }
  const source = args.positionals[0]!;
  const code = source === '-' ? await readAll(io.stdin) : source;
  const json = flag(args, 'json');
  if (stringOption(args, 'pids') !== undefined || stringOption(args, 'all-of') !== undefined) {
    const { multiEval } = require('./multi-eval') as typeof import('./multi-eval');
    return multiEval(args, code, io);
  }
  const given = stringOption(args, 'session');
  const { client, resolved } = await openConnection(args, io);
  const output = new OutputWriter(io);
  const id = `eval-${process.pid}`;
  let interrupts = 0;
  let session = given;
  const onSigint = () => {
    if (++interrupts > 1 || session === undefined) {
      output.errorLine('nrepl-ts: interrupted; not waiting for the server');
      process.exit(ExitCodes.INTERRUPTED);
    }
    client.request({ op: 'interrupt', 'interrupt-id': id, session }).catch(() => {});
  };
  process.on('SIGINT', onSigint);
  const show = (r: Response) => {
    if (json) return io.stdout.write(jsonLine(r));
    if (typeof r.out === 'string') output.stdout(r.out);
    if (typeof r.err === 'string') output.stderr(r.err);
    if (typeof r.value === 'string') output.line(r.value);
  };
  let responses: Response[];
  try {
    // A session of our own (closed afterwards), so that Ctrl-C can name it in `interrupt`.
    session ??= await client.clone();
    responses = await client.message({ op: 'eval', code, id, session }, show, { timeoutMs: 0 });
    if (given === undefined) await client.close(session, {}, { timeoutMs: 2_000 }).catch(() => {});
  } catch (err) {
    throw connectionError(err, resolved);
  } finally {
    process.off('SIGINT', onSigint);
    void client.end().catch(() => {});
  }
  return exitStatus(responses, json, output, interrupts > 0);
}

function exitStatus(responses: Response[], json: boolean, output: OutputWriter, interrupted: boolean): number {
  if (interrupted && responses.some((r) => hasStatus(r, 'interrupted'))) return ExitCodes.INTERRUPTED;
  if (responses.some((r) => hasStatus(r, 'eval-error'))) {
    const sawErr = responses.some((r) => typeof r.err === 'string');
    const ex = responses.find((r) => typeof r.ex === 'string')?.ex;
    if (!json && !sawErr && ex) output.errorLine(output.err.red(`nrepl-ts: evaluation failed: ${ex}`));
    return ExitCodes.EVAL_ERROR;
  }
  const bad = responses.flatMap((r) => (r.status ?? []).filter((s) => ERROR_STATUSES.includes(s)));
  if (bad.length > 0) {
    if (!json) output.errorLine(`nrepl-ts: the server answered ${bad.join(', ')}`);
    return ExitCodes.EVAL_ERROR;
  }
  output.newline();
  return ExitCodes.OK;
}
