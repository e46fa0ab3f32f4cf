/**
 * `describe`: what this server is and does. Built from the op table; the
 * versions identify nrepl-ts and Node — and deliberately carry no `clojure`
 * key, so CIDER and other Clojure-first clients treat this as a generic
 * (non-Clojure) server.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isTruthy } from '../../../shared/print/options';
import { describeOps, type OpDescriptor, type OpTable } from '../dispatch';
import type { Message } from '../transport';
import { appName } from '../app-name';

/** The nREPL protocol version whose ops and statuses this server follows. */
export const PROTOCOL_VERSION = '1.7.0';

function versionEntry(version: string): Message {
  const [major, minor, incremental] = version.replace(/^v/, '').split(/[.-]/).map((p) => Number.parseInt(p, 10));
  return { major: major || 0, minor: minor || 0, incremental: incremental || 0, 'version-string': version.replace(/^v/, '') };
}

let ownVersion: string | undefined;
function nreplTsVersion(): string {
  if (ownVersion === undefined) {
    try {
      ownVersion = String(JSON.parse(readFileSync(join(__dirname, '../../../../package.json'), 'utf8')).version);
    } catch {
      ownVersion = '0.0.0';
    }
  }
  return ownVersion;
}

/** Creates the describe op for a table (it lists itself too). */
export function describeOp(table: () => OpTable): OpDescriptor {
  return {
    doc: 'Describes the server: its ops (with docs when verbose?), versions of nrepl-ts, Node and the protocol, and aux data.',
    optional: { 'verbose?': 'Include each op\'s doc, requires, optional and returns.' },
    returns: { ops: 'The ops.', versions: 'nrepl-ts, node and nrepl versions.', aux: 'current-ns, and app: the host app\'s name (nearest package.json, else its script).' },
    handle(ctx) {
      ctx.done([], {
        ops: describeOps(table(), isTruthy(ctx.request['verbose?'])),
        versions: {
          'nrepl-ts': versionEntry(nreplTsVersion()),
          node: versionEntry(process.version),
          nrepl: versionEntry(PROTOCOL_VERSION),
        },
        // app: the host's name, for clients' prompts (nrepl-ts connect).
        aux: { 'current-ns': 'user', app: appName() },
      });
    },
  };
}
