/**
 * Every evaluation in progress in this process, whichever accept kind and
 * connection started it (nREPL, prepl, plain REPL), in the agent worker. An
 * operator on any nREPL connection can list them (`ls-evals`) and stop one
 * (`interrupt` with its session), so a `while (true) {}` typed into one
 * client never holds the host beyond another client's reach.
 *
 * Only bookkeeping: how an eval is stopped is the entry's own `stop`
 * (nrepl/interrupt.ts underneath).
 */
import type { InterruptOutcome } from '../nrepl/interrupter';
import { RUNNING } from '../../seam/eval-slots';

/** One running evaluation. */
export interface RunningEntry {
  /** The session it runs in (an nREPL session id, or the prepl/REPL connection's session). */
  session: string;
  /** The main-thread call that carries it (matches the shared eval flag while its synchronous part runs). */
  call: number;
  /** Which accept kind started it. */
  kind: 'nrepl' | 'prepl' | 'repl';
  server: string;
  client: string;
  /** The request's id, for nREPL. */
  id?: string;
  /** The start of its code, for a person reading the list. */
  code: string;
  started: number;
  /** Stops it (terminate, or abandon when that is unsafe) and answers its client. */
  stop(): Promise<InterruptOutcome>;
}

const entries = new Map<number, RunningEntry>();

/** Records a running eval; returns the function that forgets it. */
export function trackEval(entry: Omit<RunningEntry, 'started' | 'code'> & { code: string }): () => void {
  const code = entry.code.length > 80 ? `${entry.code.slice(0, 77)}...` : entry.code;
  entries.set(entry.call, { ...entry, code, started: Date.now() });
  return () => {
    entries.delete(entry.call);
  };
}

/** The running evals, oldest first. */
export function runningEvals(): RunningEntry[] {
  return [...entries.values()];
}

/** The running eval of `session`, if any. */
export function runningInSession(session: string): RunningEntry | undefined {
  for (const entry of entries.values()) if (entry.session === session) return entry;
  return undefined;
}

/** The eval whose call is `call`, if it is running. */
export function runningCall(call: number): RunningEntry | undefined {
  return entries.get(call);
}

/**
 * Why an abandoned eval cannot be stopped, naming the real cause: another
 * evaluation whose synchronous part holds the main thread (the shared eval
 * flag says which), or code outside every evaluation's synchronous part.
 */
export function busyCause(evalFlag: Int32Array): string {
  const call = Math.abs(Atomics.load(evalFlag, RUNNING));
  const other = call === 0 ? undefined : entries.get(call);
  if (other) {
    const seconds = Math.round((Date.now() - other.started) / 1000);
    return (
      `the eval was abandoned, but the main thread is busy in another evaluation: ${other.kind} client ${other.client} of server ${other.server}, ` +
      `session ${other.session}, running ${seconds} s: ${JSON.stringify(other.code)}; interrupt that one (op interrupt with its session; ls-evals lists them all)`
    );
  }
  return (
    'the eval was abandoned, but the main thread is still busy outside any evaluation\'s synchronous part ' +
    '(a timer or promise callback, code an eval started, or the app itself), which cannot be stopped without killing the process'
  );
}
