/**
 * Session ops: `clone`, `close`, `ls-sessions`. Sessions are server-wide and
 * outlive connections; closing a busy session interrupts its running eval and
 * answers every queued one with [interrupted, done] so no client waits forever.
 */
import type { OpDescriptor } from '../dispatch';
import { runningEvals } from '../../connection/running-evals';

/** `clone`. */
export const cloneOp: OpDescriptor = {
  doc: 'Creates a new persistent session. Its $1..$3 and $e start empty.',
  optional: { session: 'Session to clone from (its module context is not copied, as in the reference).', 'client-name': 'Client name.', 'client-version': 'Client version.' },
  returns: { 'new-session': 'The id of the new session.' },
  handle(ctx) {
    const created = ctx.server.sessions.create();
    if (!created) {
      ctx.respond({ err: `nrepl-ts: too many sessions (max-sessions); close some with the close op\n` });
      return ctx.done(['error', 'too-many-sessions']);
    }
    ctx.done([], { 'new-session': created.id });
  },
};

/** `close`. */
export const closeOp: OpDescriptor = {
  doc: 'Closes a session: its running eval is interrupted and queued evals are cancelled.',
  requires: { session: 'The session to close.' },
  returns: {},
  async handle(ctx) {
    const { session, server } = ctx;
    if (session.ephemeral) return ctx.done(['session-closed']);
    server.sessions.delete(session.id);
    session.closed = true;
    session.cancelQueued();
    const running = session.running;
    // One whose value is being written is over: it ends with its value and done.
    if (running && !running.writing) {
      await server.interrupter.interrupt(running.call);
      // Unless it ended on its own meanwhile: it already has its one done.
      if (session.running === running) running.interrupt();
    }
    server.mainThread.notify('session-closed', { session: session.id });
    ctx.done(['session-closed']);
  },
};

/** `ls-sessions`. */
export const lsSessionsOp: OpDescriptor = {
  doc: 'Lists the persistent sessions of this server, from every connection, and the ephemeral ones that run an eval now (interruptible by their id).',
  returns: { sessions: 'The ids of the sessions.' },
  handle(ctx) {
    const ids = ctx.server.sessions.ids();
    for (const entry of runningEvals()) {
      if (entry.kind === 'nrepl' && entry.server === ctx.server.name && !ids.includes(entry.session)) ids.push(entry.session);
    }
    ctx.done([], { sessions: ids });
  },
};

/** `ls-evals`: the operator's view of everything that runs. */
export const lsEvalsOp: OpDescriptor = {
  doc: 'Lists every evaluation running in this process, whichever server and accept kind (nREPL, prepl, plain REPL) started it. Stop one with interrupt and its session.',
  returns: { evals: 'One map per eval: session, kind, server, client, id (nREPL), code (its start), elapsed-ms.' },
  handle(ctx) {
    const now = Date.now();
    const evals = runningEvals().map((e) => {
      const entry: Record<string, string | number> = { session: e.session, kind: e.kind, server: e.server, client: e.client, code: e.code, 'elapsed-ms': now - e.started };
      if (e.id !== undefined) entry.id = e.id;
      return entry;
    });
    ctx.done([], { evals });
  },
};
