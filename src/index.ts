/**
 * nrepl-ts public API. Everything importable from `nrepl-ts` (ESM or CJS) is
 * assembled here; nothing else is public.
 */
export { startServer, stopServer, stopServers, listServers } from './main/api';
export { tap } from './main/eval/tap';
export type { AcceptClient, AcceptHandler } from './main/accept/contract';
export type { ServerInfo } from './seam/channel';
