/**
 * Translates the server options of `nrepl-ts run` into the agent's own
 * configuration: `NREPL_SERVER_<NAME>` variables holding EDN maps (see the
 * README, "Configuration"). Pure: options in, variables out.
 *
 * With no server option at all nothing is set, so the app gets whatever its
 * config files say, or the default nREPL server. As soon as one is given, the
 * command line defines the servers it names and wins over config files for
 * those fields; the nREPL server (`nrepl`) is then always defined (port 0 =
 * any free port, unless `--port`/`--socket` say otherwise), unless
 * `--no-nrepl` turns it off.
 */
import { parsePort } from './target';

/** Server option values as given on the command line. */
export interface ServerOptions {
  port?: string;
  host?: string;
  socket?: string;
  repl?: string;
  prepl?: string;
  noNrepl?: boolean;
}

export type ServerEnvResult = { ok: true; env: Record<string, string> } | { ok: false; error: string };

/** An EDN string literal. */
function ednString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** A TCP port 0-65535 (0 = any free port); undefined when `text` is not one. */
function listenPort(text: string): number | undefined {
  return text.trim() === '0' ? 0 : parsePort(text);
}

/** `{:accept A :port P :address "H"}` or `{:accept A :socket "PATH"}`, from a PORT-or-PATH value. */
function serverMap(accept: string, where: string, host: string | undefined, option: string): string {
  if (where.includes('/')) return `{:accept ${accept} :socket ${ednString(where)}}`;
  const port = listenPort(where);
  if (port === undefined) throw new Error(`${option}: expected a port number 0-65535 or a socket path containing "/", got "${where}"`);
  return `{:accept ${accept} :port ${port}${host ? ` :address ${ednString(host)}` : ''}}`;
}

/** The environment variables that define the servers the options ask for. */
export function serverEnv(opts: ServerOptions): ServerEnvResult {
  const any = [opts.port, opts.host, opts.socket, opts.repl, opts.prepl].some((v) => v !== undefined) || opts.noNrepl === true;
  if (!any) return { ok: true, env: {} };
  const fail = (error: string): ServerEnvResult => ({ ok: false, error: `nrepl-ts run: ${error}; see \`nrepl-ts run --help\`` });
  if (opts.host === '') return fail('--host needs a host name or address');
  if (opts.socket !== undefined && opts.port !== undefined) return fail('--socket and --port both place the nREPL server; give one');
  if (opts.port !== undefined && listenPort(opts.port) === undefined) return fail(`--port: expected a port number 0-65535, got "${opts.port}"`);
  if (opts.noNrepl && (opts.socket !== undefined || opts.port !== undefined)) return fail('--no-nrepl turns the nREPL server off; drop --port/--socket or --no-nrepl');
  const env: Record<string, string> = {};
  try {
    if (opts.noNrepl) env.NREPL_SERVER_NREPL = 'off';
    else if (opts.socket !== undefined) {
      if (!opts.socket) return fail('--socket needs a path');
      env.NREPL_SERVER_NREPL = `{:accept nrepl-ts/nrepl :socket ${ednString(opts.socket)}}`;
    } else env.NREPL_SERVER_NREPL = serverMap('nrepl-ts/nrepl', opts.port ?? '0', opts.host, '--port');
    if (opts.repl !== undefined) env.NREPL_SERVER_REPL = serverMap('nrepl-ts/repl', opts.repl, opts.host, '--repl');
    if (opts.prepl !== undefined) env.NREPL_SERVER_PREPL = serverMap('nrepl-ts/prepl', opts.prepl, opts.host, '--prepl');
  } catch (err) {
    return fail((err as Error).message);
  }
  return { ok: true, env };
}
