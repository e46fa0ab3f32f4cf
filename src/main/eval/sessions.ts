/**
 * The host-side state of nREPL sessions: history ($1 $2 $3, $e) and the
 * session's input (stdin op → $readLine()/$stdin). Keyed by the session id
 * the worker assigned; ephemeral sessions get a throw-away state.
 */
import { PassThrough } from 'node:stream';

/** Most unread input a session keeps (characters); more is dropped until evaluated code reads. */
export const MAX_UNREAD = 8 * 1024 * 1024;

/** Lines of input fed by the `stdin` op. */
export class SessionInput {
  private buffer = '';
  private ended = false;
  private readonly waiters: Array<(line: string | null) => void> = [];
  private streamView: PassThrough | undefined;

  /** Adds text; "" means end of input (the nREPL convention). Unread input is capped at MAX_UNREAD. */
  feed(text: string): void {
    if (text === '') this.ended = true;
    else if (this.buffer.length + text.length <= MAX_UNREAD) this.buffer += text;
    this.streamView?.write(text);
    if (this.ended) this.streamView?.end();
    this.settle();
  }

  /** Resolves with the next line (without its newline), or null at end of input. `needInput` is called if it must wait. */
  readLine(needInput: () => void): Promise<string | null> {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.settle();
      if (this.waiters.includes(resolve)) needInput();
    });
  }

  /** A Readable of everything fed from now on. */
  stream(): PassThrough {
    this.streamView ??= new PassThrough({ encoding: 'utf8' });
    return this.streamView;
  }

  private settle(): void {
    while (this.waiters.length > 0) {
      const newline = this.buffer.indexOf('\n');
      if (newline >= 0) {
        const line = this.buffer.slice(0, newline).replace(/\r$/, '');
        this.buffer = this.buffer.slice(newline + 1);
        this.waiters.shift()!(line);
      } else if (this.ended) {
        const rest = this.buffer;
        this.buffer = '';
        this.waiters.shift()!(rest === '' ? null : rest);
      } else {
        return;
      }
    }
  }
}

/** One session's host-side state. */
export class EvalSession {
  /** $1, $2, $3: the last three values, newest first. */
  readonly history: unknown[] = [];
  /** $e: the last error. */
  lastError: unknown = undefined;
  readonly input = new SessionInput();

  /** Records a successful value. */
  remember(value: unknown): void {
    this.history.unshift(value);
    if (this.history.length > 3) this.history.length = 3;
  }
}

/** All sessions' host-side state. */
export class EvalSessions {
  private readonly sessions = new Map<string, EvalSession>();

  /** The state of `id` (created on first use); ephemeral sessions are not kept. */
  get(id: string, ephemeral: boolean): EvalSession {
    let session = this.sessions.get(id);
    if (!session) {
      session = new EvalSession();
      if (!ephemeral) this.sessions.set(id, session);
    }
    return session;
  }

  /** The state of `id` if it exists. */
  find(id: string): EvalSession | undefined {
    return this.sessions.get(id);
  }

  delete(id: string): void {
    this.sessions.delete(id);
  }
}
