/**
 * nrepl-ts public API. Everything importable from `nrepl-ts` (ESM or CJS) is
 * assembled here; nothing else is public.
 */
export { startServer, stopServer, stopServers, listServers } from './api';
export { tap } from './eval/tap';
export type { AcceptClient, AcceptHandler } from './accept/contract';
export type { ServerInfo } from './agent/channel';
