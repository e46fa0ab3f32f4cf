/**
 * The server started when no source defines any, built from the defaults
 * alone: no zod and no cosmiconfig are loaded for it (the type is erased).
 */
import { NREPL_ACCEPT, SERVER_DEFAULTS } from './defaults';
import type { ServerSpec } from './schema';

/** The server started when no source defines any: nREPL on loopback, any free port, with a port file. */
export function defaultNreplServer(baseDir: string): ServerSpec {
  return {
    name: 'nrepl',
    accept: NREPL_ACCEPT,
    address: SERVER_DEFAULTS.address,
    port: 0,
    args: [],
    'bind-err': SERVER_DEFAULTS['bind-err'],
    'server-daemon': SERVER_DEFAULTS['server-daemon'],
    'client-daemon': SERVER_DEFAULTS['client-daemon'],
    enabled: true,
    'allow-remote': SERVER_DEFAULTS['allow-remote'],
    'port-file': true,
    'max-message-bytes': SERVER_DEFAULTS['max-message-bytes'],
    'max-connections': SERVER_DEFAULTS['max-connections'],
    'max-sessions': SERVER_DEFAULTS['max-sessions'],
    'output-buffer-bytes': SERVER_DEFAULTS['output-buffer-bytes'],
    'frame-timeout-ms': SERVER_DEFAULTS['frame-timeout-ms'],
    origin: { baseDir },
  };
}
