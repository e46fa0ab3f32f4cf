/**
 * The programmatic API: start, stop and list servers from the host's own
 * code, with or without the preload. Calls go to the agent worker (started on
 * demand, unref'd) and resolve with its answer.
 */
import { ensureAgent } from './gate';
import type { ServerInfo } from '../seam/channel';

/**
 * Starts a server from a spec with the same fields as a config entry
 * (`{ name: 'dev', port: 0, accept: 'nrepl-ts/nrepl' }`). Rejects with a
 * one-line error (with a stable `code`) if the spec is invalid or the server
 * cannot listen.
 */
export async function startServer(spec: Record<string, unknown>): Promise<ServerInfo> {
  const link = ensureAgent();
  await link.whenReady();
  return (await link.request('start', { spec })) as ServerInfo;
}

/** Stops the named server and closes its clients; resolves false if no such server runs. */
export async function stopServer(name: string): Promise<boolean> {
  const link = ensureAgent();
  await link.whenReady();
  return (await link.request('stop', { name })) as boolean;
}

/** Stops every server of this process. */
export async function stopServers(): Promise<void> {
  const link = ensureAgent();
  await link.whenReady();
  await link.request('stopAll');
}

/** Lists the running servers of this process. */
export async function listServers(): Promise<ServerInfo[]> {
  const link = ensureAgent();
  await link.whenReady();
  return (await link.request('list')) as ServerInfo[];
}
