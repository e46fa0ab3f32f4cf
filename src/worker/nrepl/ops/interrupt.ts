/**
 * `interrupt`: stops the session's running eval (see nrepl/interrupt.ts for
 * what can be stopped safely). The eval's request gets [interrupted, done];
 * the interrupt request gets [done] — or [error, interrupt-unsafe, done] when
 * the eval was abandoned but code it started keeps the main thread busy and
 * cannot be stopped without killing the host. An eval that completes while
 * the interrupt is on its way keeps its value, and the interrupt answers
 * [session-idle, done]: every eval/interrupt pair tells one story.
 */
import { stringField, type OpDescriptor } from '../dispatch';
import { busyCause } from '../../connection/running-evals';

/** `interrupt`. */
export const interruptOp: OpDescriptor = {
  doc: 'Interrupts the running eval of a session: a synchronous loop is stopped, a pending await is abandoned. The host keeps running.',
  requires: { session: 'The session whose eval to interrupt.' },
  optional: { 'interrupt-id': 'The id of the eval to interrupt (default: whatever runs).' },
  returns: { status: 'done, or session-idle, interrupt-id-mismatch, session-ephemeral, interrupt-unsafe.' },
  async handle(ctx) {
    const { session, server } = ctx;
    // A request without a session cannot name the eval to stop (ephemeral ones are reached by their listed session).
    if (session.ephemeral) return ctx.done(['error', 'session-ephemeral']);
    const running = session.running;
    // An eval whose value is still being written is over: the session is idle as far as stopping goes.
    if (!running || running.writing) return ctx.done(['session-idle']);
    const wanted = stringField(ctx.request, 'interrupt-id');
    if (wanted !== undefined && wanted !== running.id) return ctx.done(['error', 'interrupt-id-mismatch']);
    const outcome = await server.interrupter.interrupt(running.call);
    // The eval may have ended on its own while we were stopping it: the main thread had
    // already finished it, and its value reached us before the interrupter's answer (one
    // ordered port). Then nothing was interrupted, and saying `done` would contradict the
    // value its client got: the session was idle by the time we acted.
    if (session.running !== running || running.writing) return ctx.done(['session-idle']);
    running.interrupt();
    if (outcome === 'unsafe') {
      ctx.respond({ err: `nrepl-ts: ${busyCause(server.evalFlag)}\n` });
      return ctx.done(['error', 'interrupt-unsafe']);
    }
    ctx.done();
  },
};
