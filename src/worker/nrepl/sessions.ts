/**
 * nREPL sessions on the worker side: ids, the per-session eval queue, and
 * what is running now. Sessions belong to the server, not to a connection:
 * they survive disconnects and are listed to every client. The state that
 * lives in the host's world ($1..$3, $e, stdin) is kept on the main thread
 * under the same id (eval/sessions.ts).
 */
import { randomUUID } from 'node:crypto';

/** The eval currently running in a session. */
export interface RunningEval {
  /** The request's id (may be undefined: some clients send none). */
  id: string | undefined;
  /** The main-thread call carrying the eval. */
  call: number;
  /** Ends the eval early: sends [interrupted, done] to its client and starts the next one. */
  interrupt(): void;
  /** The eval is over and its long value is being written (ops/eval.ts): nothing left to interrupt. */
  writing?: boolean;
}

interface QueuedEval {
  start: () => void;
  cancel: () => void;
}

/** One session. */
export class Session {
  readonly id = randomUUID();
  running: RunningEval | undefined;
  private readonly queue: Array<QueuedEval> = [];
  closed = false;

  constructor(readonly ephemeral: boolean) {}

  /** Runs `start` when the session is free (`start` must call `finished()` once); `cancel` if it never starts. */
  enqueue(start: () => void, cancel: () => void): void {
    this.queue.push({ start, cancel });
    if (!this.running && this.queue.length === 1) this.next();
  }

  /** Marks the running eval finished and starts the next queued one. */
  finished(): void {
    this.running = undefined;
    this.next();
  }

  /** Cancels the evals that have not started yet (the session is closing). */
  cancelQueued(): void {
    for (const queued of this.queue.splice(0)) queued.cancel();
  }

  private next(): void {
    if (this.closed) return;
    this.queue.shift()?.start();
  }
}

/** The persistent sessions of one server. */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly maxSessions: number) {}

  /** Creates a persistent session, or returns undefined at the limit. */
  create(): Session | undefined {
    if (this.sessions.size >= this.maxSessions) return undefined;
    const session = new Session(false);
    this.sessions.set(session.id, session);
    return session;
  }

  get(id: string): Session | undefined {
    return this.sessions.get(id);
  }

  delete(id: string): boolean {
    return this.sessions.delete(id);
  }

  ids(): string[] {
    return [...this.sessions.keys()];
  }
}
