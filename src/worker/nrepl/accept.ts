/**
 * `nrepl-ts/nrepl`: the nREPL server's accept function, living in the agent
 * worker so it keeps answering while the host's main thread is busy. One
 * transport and one connection state per client; sessions per server.
 */
import type { MainThreadLink } from '../main-thread-link';
import { argsLanguage } from '../eval/language';
import { loadCodec } from '../../shared/bencode/bencode';
import { Interrupter } from './interrupter';
import { dispatch, type ConnectionState, type ServerState } from './dispatch';
import { OPS } from './ops/index';
import { SessionStore } from './sessions';
import { SocketTransport, type Transport } from './transport';
import { flowLimitsOf } from '../connection/socket-connection';
import type { WorkerAccept } from '../server/registry';

/** Creates the worker-side accept function of the nREPL servers; resolves once the codec is loaded. */
export async function createNreplAccept(mainThread: MainThreadLink, evalFlag: Int32Array): Promise<WorkerAccept> {
  await loadCodec();
  const interrupter = new Interrupter(evalFlag, mainThread);
  const servers = new Map<string, ServerState>();
  return ({ socket, server: name, client, spec }) => {
    let server = servers.get(name);
    if (!server) {
      server = { name, sessions: new SessionStore(spec['max-sessions']), mainThread, interrupter, evalFlag, language: argsLanguage(spec.args) };
      servers.set(name, server);
    }
    const state = server;
    const { conn, closeConnection } = mainThread.openConnection((event) => {
      // Late output of this connection's evals (timers they started), after their done.
      const fields: Record<string, string> = {};
      if (typeof event.id === 'string') fields.id = event.id;
      if (typeof event.session === 'string') fields.session = event.session;
      if (typeof event.out === 'string') transport.send({ out: event.out }, true, fields);
      if (typeof event.err === 'string') transport.send({ err: event.err }, true, fields);
    });
    const connection: ConnectionState = { transport: undefined as unknown as Transport, conn, client, calls: new Set(), ephemeral: new Set() };
    const transport = new SocketTransport(socket, {
      maxMessageBytes: spec['max-message-bytes'],
      limits: flowLimitsOf(spec),
      onMessage: (message) => dispatch(OPS, message, state, connection),
      onClose: () => {
        // Nobody can reach an ephemeral session once its connection is gone: stop what it runs,
        // or a session-less `while (true) {}` would hold the host for good.
        for (const session of connection.ephemeral) {
          const running = session.running;
          if (running) void interrupter.stopForGone(running.call).then(() => running.interrupt());
        }
        for (const call of connection.calls) mainThread.forget(call);
        closeConnection();
      },
    });
    connection.transport = transport;
  };
}
