// Dispatch, sessions and interrupt bookkeeping of the nREPL server, in memory:
// a MemoryTransport stands for the client's connection and a MainThreadLink
// whose messages are answered by a small in-memory main thread (evals of
// numbers answer their value; 'hang' never answers). No socket, no process:
// the same code paths the socket tests drive, fast.
import { describe, expect, it } from 'vitest';
import type { ToHost } from '../../src/seam/channel';
import { newEvalFlag } from '../../src/seam/eval-slots';
import { MainThreadLink } from '../../src/worker/main-thread-link';
import { dispatch, type ConnectionState, type ServerState } from '../../src/worker/nrepl/dispatch';
import { Interrupter } from '../../src/worker/nrepl/interrupter';
import { MemoryTransport } from '../../src/worker/nrepl/memory-transport';
import { OPS } from '../../src/worker/nrepl/ops/index';
import { SessionStore } from '../../src/worker/nrepl/sessions';
import { loadCodec } from '../../src/shared/bencode/bencode';

/** A server over an in-memory main thread; `calls` records every call the worker made. */
function memoryServer() {
  const calls: Array<Extract<ToHost, { t: 'eval' }>> = [];
  const answered: number[] = [];
  let link!: MainThreadLink;
  const post = (m: ToHost): void => {
    if (m.t !== 'eval') return;
    calls.push(m);
    if (m.kind === 'eval' && m.code !== 'hang') {
      // The main thread answers on its own turn, as the real one does.
      setImmediate(() => {
        answered.push(m.call);
        link.receive({ t: 'evalReply', call: m.call, events: [{ value: String(m.code), ns: m.ns ?? 'user' }], final: true });
      });
    }
    if (m.kind === 'ping') setImmediate(() => link.receive({ t: 'evalReply', call: m.call, events: [], final: true }));
  };
  link = new MainThreadLink(post);
  const evalFlag = newEvalFlag();
  const server: ServerState = { name: 'mem', sessions: new SessionStore(4), mainThread: link, interrupter: new Interrupter(evalFlag, link), evalFlag };
  const transport = new MemoryTransport();
  const connection: ConnectionState = { transport, client: '1', conn: 1, calls: new Set(), ephemeral: new Set() };
  const send = (request: Record<string, string | number>) => dispatch(OPS, request, server, connection);
  const dones = (id: string) => transport.sent.filter((m) => m.id === id && Array.isArray(m.status) && (m.status as string[]).includes('done'));
  return { calls, answered, server, transport, send, dones };
}

describe('dispatch in memory', () => {
  it('answers unknown ops and unknown sessions with a status and exactly one done', async () => {
    await loadCodec();
    const s = memoryServer();
    s.send({ op: 'nope', id: 'a' });
    s.send({ op: 'eval', id: 'b', code: '1', session: 'no-such-session' });
    expect(s.transport.sent).toEqual([
      { op: 'nope', status: ['error', 'unknown-op', 'done'], id: 'a' },
      { status: ['error', 'unknown-session', 'done'], id: 'b', session: 'no-such-session' },
    ]);
    expect(s.transport.inProgress).toBe(0);
  });

  it('runs the evals of one session one at a time, in order, and counts each as in progress until its done', async () => {
    const s = memoryServer();
    s.send({ op: 'clone', id: 'c' });
    const session = String((await s.transport.waitFor((m) => m.id === 'c'))['new-session']);
    s.send({ op: 'eval', id: 'e1', code: '1', session });
    s.send({ op: 'eval', id: 'e2', code: '2', session });
    expect(s.calls.filter((c) => c.kind === 'eval')).toHaveLength(1);
    expect(s.transport.inProgress).toBe(2);
    await s.transport.waitFor((m) => m.id === 'e2' && Array.isArray(m.status));
    expect(s.transport.sent.filter((m) => 'value' in m).map((m) => m.value)).toEqual(['1', '2']);
    expect(s.dones('e1')).toHaveLength(1);
    expect(s.dones('e2')).toHaveLength(1);
    expect(s.transport.inProgress).toBe(0);
  });

  it('interrupt of an idle session says session-idle; of a running eval, ends it as interrupted', async () => {
    const s = memoryServer();
    s.send({ op: 'clone', id: 'c' });
    const session = String((await s.transport.waitFor((m) => m.id === 'c'))['new-session']);
    s.send({ op: 'interrupt', id: 'i0', session });
    expect((await s.transport.waitFor((m) => m.id === 'i0')).status).toEqual(['session-idle', 'done']);
    s.send({ op: 'eval', id: 'h', code: 'hang', session });
    s.send({ op: 'interrupt', id: 'i1', session, 'interrupt-id': 'h' });
    expect((await s.transport.waitFor((m) => m.id === 'h' && Array.isArray(m.status))).status).toEqual(['interrupted', 'done']);
    expect((await s.transport.waitFor((m) => m.id === 'i1')).status).toEqual(['done']);
    expect(s.calls.some((c) => c.kind === 'abandon')).toBe(true);
    expect(s.transport.inProgress).toBe(0);
  });

  it('lists a running throw-away session and lets interrupt reach it by that id', async () => {
    const s = memoryServer();
    s.send({ op: 'eval', id: 'h', code: 'hang' });
    s.send({ op: 'ls-sessions', id: 'ls' });
    const sessions = (await s.transport.waitFor((m) => m.id === 'ls')).sessions as string[];
    expect(sessions).toHaveLength(1);
    s.send({ op: 'ls-evals', id: 'le' });
    const evals = (await s.transport.waitFor((m) => m.id === 'le')).evals as Array<Record<string, unknown>>;
    expect(evals).toMatchObject([{ kind: 'nrepl', server: 'mem', client: '1', id: 'h', code: 'hang' }]);
    s.send({ op: 'interrupt', id: 'i', session: sessions[0]! });
    expect((await s.transport.waitFor((m) => m.id === 'h' && Array.isArray(m.status))).status).toEqual(['interrupted', 'done']);
  });
});
