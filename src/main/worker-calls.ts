/**
 * Main-thread handler for calls from the worker's protocol servers:
 * evaluate, complete, look up, stdin, ping, forwarding the host's own
 * output, and bookkeeping (closed sessions and connections, prepl tap
 * listeners).
 *
 * Which output goes where: what evaluated code writes (also later, from
 * timers it started) goes to its client while the client's connection is
 * open; after `connection-closed`, and for output that was in flight when the
 * client left (`unclaimed-output` from the worker), to the host's own
 * stdout/stderr. The host's own output always goes to its streams.
 */
import type { ToHost, ToWorker } from '../seam/channel';
import { releaseRoutes, resetRoute } from './eval/capture';
import { CallEmitter, shareOutputBudget } from './eval/emitter';
import { evaluate, limitValues, streamValuesThrough, type EvalRequest } from './eval/evaluate';
import { ValueStreams } from './eval/value-streams';
import { EvalSessions } from './eval/sessions';
import { completions } from './tooling/complete';
import { conveniencesSource } from './tooling/completion-sources';
import { invalidateNameIndex } from './tooling/name-index';
import { lookup } from './tooling/lookup';
import { setTapListeners } from './eval/tap-sender';
import { forwardingConnections, forwardSystemOutput, stopForwarding } from './eval/system-output';
import { namespaceNames, namespaceView } from './eval/namespaces';

/** Completion and lookup see the request's namespace over the globals (eval/namespaces.ts). */
function nsScope(ns: unknown): { root: object; declared: string[] } {
  const name = typeof ns === 'string' && ns !== '' ? ns : undefined;
  return { root: namespaceView(name), declared: namespaceNames(name) };
}
import { say } from '../log';
import { oneLine } from '../errors';

type CallMessage = Extract<ToHost, { t: 'eval' }>;

/** Answers main-thread calls from the worker. */
export class WorkerCalls {
  private readonly sessions = new EvalSessions();
  /** Connections with evaluations on this thread; closing one marks its state dead and forgets it. */
  private readonly connections = new Map<number, { dead: boolean }>();
  /** Long printed values on their way to the worker in pieces. */
  private readonly values: ValueStreams;

  constructor(
    private readonly post: (m: ToWorker, transfer?: ArrayBuffer[]) => void,
    private readonly evalFlag: Int32Array,
    workerHeapMb?: number,
  ) {
    shareOutputBudget(evalFlag);
    this.values = new ValueStreams(post, say);
    streamValuesThrough(this.values);
    if (workerHeapMb !== undefined) {
      const { maxValueChars } = require('./worker-limits') as typeof import('./worker-limits');
      limitValues(maxValueChars(workerHeapMb), workerHeapMb);
    }
  }

  /** Handles one call message. Never throws. */
  receive(message: CallMessage): void {
    // An eval stopped by terminateExecution never left its context; this callback must not inherit it.
    resetRoute();
    try {
      this.handle(message);
    } catch (err) {
      say(`NREPL_INTERNAL: main-thread call ${message.kind}: ${oneLine(err)}`);
      if (message.call) new CallEmitter(this.post, message.call).finish({ error: { ex: 'Error', rootEx: 'Error' } });
    }
  }

  /** The worker is gone: evaluations still running stop routing output, and nothing is forwarded any more. */
  workerStopped(): void {
    for (const connection of this.connections.values()) connection.dead = true;
    this.connections.clear();
    this.values.clear();
    for (const conn of forwardingConnections()) stopForwarding(conn);
    setTapListeners({ conn: 0, edn: 0, json: 0 }, this.post);
  }

  private handle(message: CallMessage): void {
    const emitter = () => new CallEmitter(this.post, message.call);
    switch (message.kind) {
      case 'eval': {
        const req: EvalRequest = message;
        const session = this.sessions.get(req.session, req.ephemeral);
        const calls = new CallEmitter(this.post, req.call, { conn: req.conn, id: req.id, session: req.session });
        let connection = this.connections.get(req.conn);
        if (!connection) {
          connection = { dead: false };
          this.connections.set(req.conn, connection);
        }
        const state = connection;
        // What the eval declares must complete at once.
        invalidateNameIndex();
        evaluate(req, session, calls, this.evalFlag, () => state.dead);
        break;
      }
      case 'ping':
        emitter().finish();
        break;
      case 'stdin':
        this.sessions.get(String(message.session), false).input.feed(String(message.text ?? ''));
        break;
      case 'complete': {
        const session = this.sessions.find(String(message.session));
        const sources = [conveniencesSource(session)];
        emitter().finish({ completions: completions(String(message.prefix ?? ''), { sources, ...nsScope(message.ns) }) });
        break;
      }
      case 'lookup': {
        const out = emitter();
        lookup(String(message.sym ?? ''), { root: nsScope(message.ns).root }).then(
          (info) => out.finish({ info }),
          () => out.finish({}),
        );
        break;
      }
      case 'forward-system-output':
        forwardSystemOutput(message.call, Number(message.conn), emitter());
        break;
      case 'session-closed':
        this.sessions.delete(String(message.session));
        break;
      case 'connection-closed':
        {
          // Routes of its evaluations keep the state object and see it dead; the map forgets it.
          const connection = this.connections.get(Number(message.conn));
          if (connection) connection.dead = true;
          this.connections.delete(Number(message.conn));
        }
        stopForwarding(Number(message.conn));
        this.values.dropConnection(Number(message.conn));
        // No client left: the output store costs the host's awaits, switch it off if nothing needs it.
        if (this.connections.size === 0) releaseRoutes();
        break;
      case 'value-pull':
        this.values.pull(Number(message.stream), Math.max(0, Math.min(16, Number(message.pieces) || 0)), message.spare);
        break;
      case 'value-drop':
        this.values.drop(Number(message.stream));
        break;
      case 'unclaimed-output':
        // Output of an eval whose client left while it was on its way: the host's streams get it,
        // as they get everything written after the worker's connection-closed arrived.
        if (typeof message.out === 'string') process.stdout.write(message.out);
        if (typeof message.err === 'string') process.stderr.write(message.err);
        break;
      case 'tap-listeners':
        // prepl clients came or went: tap() prints and sends only while someone listens.
        setTapListeners({ conn: Number(message.conn), edn: Number(message.edn) || 0, json: Number(message.json) || 0 }, this.post);
        break;
      case 'abandon':
        // The worker already answered the eval; its late events are routed by connection or dropped.
        break;
      default: {
        // A kind this build does not know (the compiler proves none is sent): answer so no caller waits.
        const unknown = message as { call?: number; kind?: string };
        if (unknown.call) new CallEmitter(this.post, unknown.call).finish({ unknown: unknown.kind });
      }
    }
  }
}
