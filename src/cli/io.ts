/**
 * The terminal side of the `nrepl-ts` commands: the streams and environment a
 * command runs with (injected, so commands never reach for globals), exit
 * codes, the one error type commands throw, and colors that appear only on a
 * TTY and never with NO_COLOR.
 *
 * It does not parse arguments or talk to servers.
 */

/** Exit statuses shared by every command. */
export const ExitCodes = {
  OK: 0,
  /** The evaluated code failed (`eval-error`) or the server answered with an error status. */
  EVAL_ERROR: 1,
  /** Usage mistakes and connection problems. */
  USAGE: 2,
  /** The user interrupted with Ctrl-C (128 + SIGINT). */
  INTERRUPTED: 130,
} as const;

/** What a command runs with. */
export interface Io {
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

/** The real process streams and environment. */
export function processIo(): Io {
  return { env: process.env, cwd: process.cwd(), stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
}

/** A failure a command reports as one line on stderr before exiting with `exitCode`. */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode: number = ExitCodes.USAGE) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** True when output to a stream with this TTY-ness may carry colors under `env` (NO_COLOR wins, TERM=dumb has none). */
export function colorsEnabled(isTTY: boolean | undefined, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return isTTY === true;
}

/** SGR wrappers; identity functions when colors are off. */
export interface Palette {
  red(text: string): string;
  green(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

const sgr = (open: number, close: number) => (text: string) => (text ? `\u001b[${open}m${text}\u001b[${close}m` : text);
const plain = (text: string) => text;

/** A palette for a stream: colored only when `colorsEnabled`. */
export function paletteFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): Palette {
  if (!colorsEnabled(stream.isTTY, env)) return { red: plain, green: plain, dim: plain, bold: plain };
  return { red: sgr(31, 39), green: sgr(32, 39), dim: sgr(2, 22), bold: sgr(1, 22) };
}

/** SGR (color/style) escape sequences. */
const SGR = /\u001b\[[0-9;:]*m/g;

/** Removes color and style escapes, keeping every other character. */
export function stripColors(text: string): string {
  return text.replace(SGR, '');
}

/**
 * stdout and stderr for evaluation output: remembers whether the terminal
 * cursor is at the start of a line, so that a value or a prompt after output
 * without a trailing newline starts on a fresh line. Where colors are off (not
 * a TTY, NO_COLOR), color escapes in the server's text are removed too: a
 * host whose own stdout is a terminal prints `console.log(1)` in yellow.
 */
export class OutputWriter {
  /** False after text that did not end with a newline. */
  atLineStart = true;
  readonly out: Palette;
  readonly err: Palette;
  private readonly plainOut: boolean;
  private readonly plainErr: boolean;

  constructor(private readonly io: Io) {
    this.out = paletteFor(io.stdout, io.env);
    this.err = paletteFor(io.stderr, io.env);
    this.plainOut = !colorsEnabled(io.stdout.isTTY, io.env);
    this.plainErr = !colorsEnabled(io.stderr.isTTY, io.env);
  }

  /** Writes evaluation output (`out`) as it came. */
  stdout(text: string): void {
    if (!text) return;
    this.io.stdout.write(this.plainOut ? stripColors(text) : text);
    this.atLineStart = text.endsWith('\n');
  }

  /** Writes error output (`err`), red on a TTY. */
  stderr(text: string): void {
    if (!text) return;
    this.io.stderr.write(this.plainErr ? stripColors(text) : this.err.red(text));
    this.atLineStart = text.endsWith('\n');
  }

  /** Writes one whole line of evaluation output (a value) to stdout, starting a new line first if needed. */
  line(text: string): void {
    this.newline();
    this.io.stdout.write(`${this.plainOut ? stripColors(text) : text}\n`);
    this.atLineStart = true;
  }

  /** Writes one whole line of our own to stderr, starting a new line first if needed. */
  errorLine(text: string): void {
    this.newline();
    this.io.stderr.write(`${text}\n`);
    this.atLineStart = true;
  }

  /** Ends a partial line. */
  newline(): void {
    if (!this.atLineStart) this.io.stdout.write('\n');
    this.atLineStart = true;
  }
}

/** One JSON line for a decoded message; raw byte values (from `-unencoded` keys) become base64 strings. */
export function jsonLine(value: unknown): string {
  return `${JSON.stringify(value, (_key, v: unknown) => {
    const bytes = v as { type?: unknown; data?: unknown };
    return bytes && typeof bytes === 'object' && bytes.type === 'Buffer' && Array.isArray(bytes.data) ? Buffer.from(bytes.data as number[]).toString('base64') : v;
  })}\n`;
}
