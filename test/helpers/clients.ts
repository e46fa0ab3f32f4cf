/**
 * Client bookkeeping shared by the evaluation tests: nREPL and text clients
 * opened through `track` are closed after each test, and SERVERS_ALL_KINDS
 * starts one nREPL server, one plain REPL and one JSON prepl on free ports.
 */
import { afterEach } from 'vitest';
import type { NreplClient } from '../../src/client/client';
import type { TextClient } from './text-client';

/** NREPL_SERVER_* variables for an nREPL server (N), a plain REPL (R) and a JSON prepl (P). */
export const SERVERS_ALL_KINDS = {
  NREPL_SERVER_N: '{:port 0 :accept nrepl-ts/nrepl}',
  NREPL_SERVER_R: '{:port 0 :accept nrepl-ts/repl}',
  NREPL_SERVER_P: '{:port 0 :accept nrepl-ts/prepl :args [:json]}',
};

const clients = new Set<NreplClient>();
const texts = new Set<TextClient>();
afterEach(async () => {
  for (const c of clients) await c.end().catch(() => {});
  clients.clear();
  for (const t of texts) t.destroy();
  texts.clear();
});

/** Closes `client` after the test; returns it. */
export function track<T extends NreplClient | TextClient>(client: T): T {
  if ('eval' in client) clients.add(client as NreplClient);
  else texts.add(client as TextClient);
  return client;
}
