/**
 * The interactive loop of `nrepl-ts connect`: node:readline on the terminal,
 * one nREPL session on the other side. A line that does not yet form complete
 * input continues at a `...` prompt (input.ts decides); complete input is sent
 * as one `eval`, whose out/err/value stream to the terminal. Lines typed while
 * an eval runs wait their turn, or answer the server's `need-input` as stdin
 * (the first such line, whether typed before or after the server asked).
 *
 * Commands (repl-commands.ts), as in node's REPL: `.exit` and `:repl/quit`,
 * `.help`, `.editor` (lines until Ctrl-D, evaluated as one entry; Ctrl-C
 * drops them), `.break`. The prompt is the app's name (or the eval's ns when
 * it is a file), `app> `; Lisp servers keep Clojure's `user=> `.
 *
 * Keys: Tab asks the server (`completions`); Ctrl-C interrupts a running eval,
 * clears a half-typed entry, and at an empty prompt prints a hint, then exits
 * on a second press; Ctrl-D exits. Output arriving after an eval finished
 * (timers, promises) is printed above the prompt.
 *
 * It sends only text and reads only the standard fields, so any nREPL server
 * works. It does not resolve targets or parse options (connect.ts does).
 */
import { clearLine, createInterface, cursorTo, type Interface } from 'node:readline';
import { hasStatus, statusOf, type NreplClient, type Response } from '../client/client';
import { serverCompleter } from './completer';
import { HISTORY_SIZE, loadHistory, saveHistory } from './history';
import { isIncomplete, type Dialect } from './input';
import { CliError, ExitCodes, OutputWriter, type Io } from './io';
import { connectionError } from './open';
import { promptName, REPL_HELP, replCommand, type ReplCommand } from './repl-commands';

/** What the loop needs: an open client with a session, and the terminal. */
export interface ReplOptions {
  client: NreplClient;
  session: string;
  dialect: Dialect;
  /** The namespace shown in the prompt until the server reports one. */
  ns: string;
  io: Io;
  /** History file, or undefined for none. */
  historyFile: string | undefined;
  /** The host app's name (describe's aux.app), for the JavaScript prompt. */
  app?: string;
  /** The server completes whole lines (ours). */
  lineContext?: boolean;
}

/** Statuses worth a line of their own, besides done/eval-error/interrupted/need-input. */
const REPORTED = ['error', 'unknown-session', 'unknown-op', 'namespace-not-found'];

const HINT = '(To exit, press Ctrl+C again or Ctrl+D)';

interface Running {
  id: string;
  interrupts: number;
  sawErr: boolean;
}

/** One interactive session; `run()` resolves with the exit status. */
export class Repl {
  private readonly client: NreplClient;
  private readonly io: Io;
  private readonly output: OutputWriter;
  private readonly interactive: boolean;
  private rl!: Interface;
  private ns: string;
  /** Lines of an entry that is not complete yet. */
  private buffer: string[] = [];
  /** Lines typed while an eval ran. */
  private queue: string[] = [];
  private running: Running | undefined;
  private needInput = false;
  private sawSigint = false;
  /** Input ended (Ctrl-D or end of piped input): finish once the queue is done. */
  private inputClosed = false;
  private finished = false;
  private evals = 0;
  private historyWarned = false;
  /** Lines typed in `.editor` mode; undefined outside it. */
  private editor: string[] | undefined;
  private resolveRun!: (code: number) => void;

  constructor(private readonly opts: ReplOptions) {
    this.client = opts.client;
    this.io = opts.io;
    this.ns = opts.ns;
    this.output = new OutputWriter(opts.io);
    this.interactive = opts.io.stdin.isTTY === true;
  }

  /** Starts reading input; resolves with the exit status when the user leaves or the connection is lost. */
  run(): Promise<number> {
    const done = new Promise<number>((resolve) => (this.resolveRun = resolve));
    const { opts } = this;
    const { io, historyFile } = opts;
    this.rl = createInterface({
      input: io.stdin,
      output: this.interactive ? io.stdout : undefined,
      terminal: this.interactive,
      completer: serverCompleter({
        client: this.client,
        session: opts.session,
        dialect: opts.dialect,
        ns: () => this.ns,
        busy: () => this.running !== undefined,
        lineContext: opts.lineContext,
      }),
      history: this.interactive ? loadHistory(historyFile) : [],
      historySize: HISTORY_SIZE,
      removeHistoryDuplicates: true,
    });
    this.rl.on('line', (line) => this.onLine(line));
    if (this.interactive) this.hookEditorKeys();
    this.rl.on('SIGINT', () => this.onCtrlC());
    this.rl.on('close', () => this.onInputEnd());
    if (historyFile && this.interactive) this.rl.on('history', (history: string[]) => this.saveHistory(historyFile, history));
    process.on('SIGINT', this.onSignal);
    this.client.onUnsolicited = (r) => this.onLate(r);
    void this.client.closed.then(() => {
      if (!this.finished) this.fail(new CliError(`nrepl-ts: the nREPL connection to ${this.client.target} was closed by the server`));
    });
    this.prompt();
    return done;
  }

  private onLine(line: string): void {
    // Lines readline had already read when `.exit` closed it.
    if (this.finished) return;
    if (this.running && this.needInput) {
      this.needInput = false;
      this.client.stdin(this.opts.session, `${line}\n`).catch(() => {});
      return;
    }
    this.queue.push(line);
    if (!this.running) this.drain();
  }

  /** Feeds queued lines until one completes an entry (which starts an eval) or the queue is empty; then prompts or finishes. */
  private drain(): void {
    while (!this.running && this.queue.length > 0) this.feed(this.queue.shift()!);
    if (this.running || this.finished) return;
    if (this.inputClosed) {
      if (this.editor) {
        // Piped input in editor mode: the end of input ends the editor, as Ctrl-D would.
        const code = this.editor.join('\n');
        this.editor = undefined;
        if (code.trim() !== '') return void this.evaluate(code);
      }
      const rest = this.buffer.join('\n');
      this.buffer = [];
      // Piped input that ends mid-entry: send it anyway, the server names the error.
      if (rest.trim() !== '') return void this.evaluate(rest);
      return this.finish(ExitCodes.OK);
    }
    this.prompt();
  }

  private feed(line: string): void {
    this.sawSigint = false;
    if (this.editor) return void this.editor.push(line);
    const command = replCommand(line, this.opts.dialect, this.buffer.length > 0);
    if (command) return this.command(command);
    this.buffer.push(line);
    const code = this.buffer.join('\n');
    if (isIncomplete(code, this.opts.dialect)) return;
    this.buffer = [];
    if (code.trim() !== '') void this.evaluate(code);
  }

  /** `.exit`, `.help`, `.editor`, `.break` (repl-commands.ts), as node's REPL has them. */
  private command(command: ReplCommand): void {
    switch (command) {
      case 'exit':
        this.queue = [];
        return this.finish(ExitCodes.OK);
      case 'help':
        this.output.line(REPL_HELP);
        return;
      case 'break':
        this.buffer = [];
        return;
      case 'editor':
        this.editor = [];
        if (this.interactive) this.output.line(this.output.out.dim('// Entering editor mode (Ctrl+D to finish, Ctrl+C to cancel)'));
        return;
    }
  }

  /** In editor mode Ctrl-D evaluates what was typed and Ctrl-C drops it, as in node's REPL (which hooks readline the same way). */
  private hookEditorKeys(): void {
    const rl = this.rl as unknown as { _ttyWrite?: (s: string, key: { ctrl?: boolean; name?: string } | undefined) => void; line: string; cursor: number };
    const original = rl._ttyWrite;
    if (typeof original !== 'function') return;
    rl._ttyWrite = (text, key) => {
      if (this.editor && key?.ctrl && (key.name === 'd' || key.name === 'c')) {
        const lines = [...this.editor, ...(rl.line ? [rl.line] : [])];
        this.editor = undefined;
        rl.line = '';
        rl.cursor = 0;
        this.io.stdout.write('\n');
        const code = lines.join('\n');
        if (key.name === 'd' && code.trim() !== '') return void this.evaluate(code);
        return this.prompt();
      }
      return original.call(this.rl, text, key);
    };
  }

  private async evaluate(code: string): Promise<void> {
    const running: Running = { id: `cli-${process.pid}-${++this.evals}`, interrupts: 0, sawErr: false };
    this.running = running;
    try {
      await this.client.message({ op: 'eval', code, session: this.opts.session, id: running.id }, (r) => this.onResponse(r, running), { timeoutMs: 0 });
    } catch (err) {
      return this.fail(err);
    }
    this.running = undefined;
    this.needInput = false;
    this.output.newline();
    this.drain();
  }

  private onResponse(r: Response, running: Running): void {
    if (typeof r.ns === 'string' && r.ns) this.ns = r.ns;
    if (typeof r.out === 'string') this.output.stdout(r.out);
    if (typeof r.err === 'string') {
      running.sawErr = true;
      this.output.stderr(r.err);
    }
    if (typeof r.value === 'string') this.output.line(r.value);
    if (hasStatus(r, 'need-input')) {
      // A line typed ahead answers at once; otherwise the next line typed does.
      const ahead = this.queue.shift();
      if (ahead === undefined) this.needInput = true;
      else this.client.stdin(this.opts.session, `${ahead}\n`).catch(() => {});
    }
    if (hasStatus(r, 'eval-error') && !running.sawErr && typeof r.ex === 'string') this.output.errorLine(this.output.err.red(r.ex));
    if (hasStatus(r, 'interrupted')) this.output.errorLine(this.output.err.dim('interrupted'));
    const bad = (r.status ?? []).filter((s) => REPORTED.includes(s));
    if (bad.length) this.output.errorLine(this.output.err.red(`nrepl-ts: the server answered ${bad.join(', ')}`));
  }

  /** Output after `done` (timers, promises), or from other sessions' forwarded output: printed above the prompt. */
  private onLate(r: Response): void {
    if (r.session !== undefined && r.session !== this.opts.session) return;
    this.printAsync(typeof r.out === 'string' ? r.out : '', typeof r.err === 'string' ? r.err : '');
  }

  /** Prints text that arrives on its own: in the flow while an eval runs, else above the prompt, which is drawn again. */
  private printAsync(out: string, err: string): void {
    if (!out && !err) return;
    if (this.running || !this.interactive || this.finished) {
      this.output.stdout(out);
      this.output.stderr(err);
      return;
    }
    clearLine(this.io.stdout, 0);
    cursorTo(this.io.stdout, 0);
    this.output.atLineStart = true;
    this.output.stdout(out);
    this.output.stderr(err);
    this.output.newline();
    this.rl.prompt(true);
  }

  /** Sends `interrupt` for the running eval; a refusal the server explains (err, interrupt-unsafe) is shown. */
  private interrupt(running: Running): void {
    this.client.request({ op: 'interrupt', session: this.opts.session, 'interrupt-id': running.id }, { timeoutMs: 10_000 }).then(
      (responses) => {
        const err = responses.map((r) => (typeof r.err === 'string' ? r.err : '')).join('');
        const unsafe = statusOf(responses).includes('interrupt-unsafe');
        this.printAsync('', err || (unsafe ? 'nrepl-ts: the server cannot stop this evaluation safely (interrupt-unsafe)\n' : ''));
      },
      () => {},
    );
  }

  private onCtrlC(): void {
    const running = this.running;
    if (running) {
      this.queue = [];
      if (++running.interrupts > 1) this.output.errorLine(this.output.err.dim('(waiting for the eval to stop; Ctrl-D disconnects)'));
      return this.interrupt(running);
    }
    const typed = this.rl.line.length > 0 || this.buffer.length > 0;
    const rl = this.rl as unknown as { line: string; cursor: number };
    rl.line = '';
    rl.cursor = 0;
    this.io.stdout.write('\n');
    if (typed) {
      this.buffer = [];
      this.sawSigint = false;
    } else if (this.sawSigint) {
      return this.finish(ExitCodes.OK);
    } else {
      this.sawSigint = true;
      this.io.stdout.write(`${this.output.out.dim(HINT)}\n`);
    }
    this.prompt();
  }

  /** A real SIGINT (piped input, `kill -INT`): interrupt the eval, or leave. */
  private readonly onSignal = (): void => {
    if (this.running) {
      this.interrupt(this.running);
      if (++this.running.interrupts <= 1) return;
    }
    this.finish(ExitCodes.INTERRUPTED);
  };

  private onInputEnd(): void {
    if (this.finished) return;
    this.inputClosed = true;

    if (this.interactive) {
      // Ctrl-D: leave now; a running eval is interrupted rather than left behind.
      this.io.stdout.write('\n');
      if (this.running) this.interrupt(this.running);
      return this.finish(ExitCodes.OK);
    }
    if (!this.running) this.drain();
  }

  private prompt(): void {
    if (!this.interactive || this.finished) return;
    const name = promptName(this.ns, this.opts.dialect, this.opts.app);
    const mark = this.opts.dialect === 'lisp' ? '=>' : '>';
    const prompt = this.editor ? '' : this.buffer.length ? `${'...'.padStart(name.length + mark.length)} ` : `${this.output.out.green(name)}${mark} `;
    this.rl.setPrompt(prompt);
    this.output.atLineStart = true;
    // Keep the cursor where it is in anything typed ahead while an eval ran.
    this.rl.prompt(true);
  }

  private saveHistory(file: string, history: string[]): void {
    try {
      saveHistory(file, history);
    } catch (err) {
      if (this.historyWarned) return;
      this.historyWarned = true;
      this.output.errorLine(this.output.err.dim(`nrepl-ts: cannot write history to ${file}: ${(err as Error).message}`));
    }
  }

  private fail(err: unknown): void {
    if (this.finished) return;
    if (this.interactive && !this.running) {
      // The prompt is showing: replace it with the message.
      clearLine(this.io.stdout, 0);
      cursorTo(this.io.stdout, 0);
      this.output.atLineStart = true;
    }
    this.output.errorLine(err instanceof CliError ? err.message : connectionError(err).message);
    this.finish(ExitCodes.USAGE);
  }

  /** Leaves: closes the session and the connection, restores the terminal, resolves `run()`. */
  private finish(code: number): void {
    if (this.finished) return;
    this.finished = true;
    process.off('SIGINT', this.onSignal);
    this.rl.close();
    const { client, session } = this.opts;
    void client
      .close(session, {}, { timeoutMs: 1_000 })
      .catch(() => {})
      .then(() => client.end())
      .catch(() => {})
      .then(() => this.resolveRun(code));
  }
}
