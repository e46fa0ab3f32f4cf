/**
 * `nrepl-ts/prepl`: the structured REPL's accept function (the Node
 * counterpart of clojure.core.server/io-prepl), living in the agent worker.
 * Each client gets a prepl/connection.ts; `{:args [:json]}` on the server
 * spec switches that server to JSON lines (prepl/messages.ts has both
 * formats).
 *
 * Taps: every connected client of every prepl server of this process is a
 * tap listener (one TapHub per worker). The main thread is told how many listeners there are per
 * format (`tap-listeners`), so `tap(value)` costs nothing while there are
 * none, and prints a value only in the formats someone reads. Printed taps
 * come back as events of one registered main-thread connection and go to every
 * listener in its format.
 */
import type { CallEvent, MainThreadLink } from '../main-thread-link';
import { argsLanguage, languageName } from '../eval/language';
import { PreplConnection } from './connection';
import { flowLimitsOf } from '../connection/socket-connection';
import { Interrupter } from '../nrepl/interrupter';
import type { PreplFormat } from './messages';
import type { WorkerAccept } from '../server/registry';

/** The format a server's `args` ask for: `[:json]` (arriving as "json" or ":json"), else EDN. */
export function preplFormat(args: readonly unknown[] | undefined): { format: PreplFormat; unknown: string[] } {
  let format: PreplFormat = 'edn';
  const unknown: string[] = [];
  for (const arg of args ?? []) {
    const name = typeof arg === 'string' ? arg.replace(/^:/, '') : String(arg);
    if (name === 'json' || name === 'edn') format = name;
    else if (languageName(name) === undefined) unknown.push(name);
  }
  return { format, unknown };
}

/**
 * The tap listeners of this worker: every client of every prepl server. One
 * per MainThreadLink (the main thread keeps a single count, so all prepl servers
 * must report together).
 */
class TapHub {
  private readonly listeners = new Set<PreplConnection>();
  private conn: number | undefined;

  constructor(private readonly mainThread: MainThreadLink) {}

  add(connection: PreplConnection): void {
    this.listeners.add(connection);
    this.announce();
  }

  delete(connection: PreplConnection): void {
    if (this.listeners.delete(connection)) this.announce();
  }

  private deliver(event: CallEvent): void {
    const tap = event.tap as { edn?: string; json?: string } | undefined;
    if (!tap) return;
    for (const connection of this.listeners) {
      const printed = connection.format === 'edn' ? tap.edn : tap.json;
      if (typeof printed === 'string') connection.send({ tag: 'tap', value: connection.printed(printed) }, true);
    }
  }

  private announce(): void {
    this.conn ??= this.mainThread.openConnection((event) => this.deliver(event)).conn;
    let edn = 0;
    let json = 0;
    for (const connection of this.listeners) {
      if (connection.format === 'edn') edn += 1;
      else json += 1;
    }
    this.mainThread.notify('tap-listeners', { conn: this.conn, edn, json });
  }
}

const hubs = new WeakMap<MainThreadLink, TapHub>();

/** Creates the worker-side accept function of a prepl server. */
export function createPreplAccept(mainThread: MainThreadLink, evalFlag: Int32Array): WorkerAccept {
  const interrupter = new Interrupter(evalFlag, mainThread);
  let taps = hubs.get(mainThread);
  if (!taps) {
    taps = new TapHub(mainThread);
    hubs.set(mainThread, taps);
  }
  const hub = taps;
  return ({ socket, server, client, spec }) => {
    const { format, unknown } = preplFormat(spec.args);
    const connection: PreplConnection = new PreplConnection({
      socket,
      mainThread,
      interrupter,
      evalFlag,
      format,
      server,
      client,
      maxChars: spec['max-message-bytes'],
      limits: flowLimitsOf(spec),
      onClose: () => hub.delete(connection),
      language: argsLanguage(spec.args),
    });
    if (unknown.length > 0) {
      const list = unknown.map((a) => JSON.stringify(a)).join(', ');
      connection.send({ tag: 'err', text: `nrepl-ts/prepl: ignoring unknown argument(s) ${list}; expected :json, :edn, :typescript or :javascript\n` });
    }
    hub.add(connection);
  };
}
