/**
 * Recognizes the other socket protocols a user may point an nREPL client at
 * by mistake, from the first bytes each side sends, and words the one line
 * that says what is there and which client to use:
 *
 * - client side (`nrepl-ts connect`, src/nrepl/client.ts): the server sent
 *   something that is not bencode: a `> ` / `user=> ` prompt is a plain REPL
 *   (nrepl-ts/repl, a Clojure socket REPL), a `{:tag` EDN or `{"tag"` JSON
 *   map line is a prepl;
 * - server side (the plain REPL and the prepl, connection/form-connection.ts):
 *   the first thing a client sent is a bencode dict (`d2:op…`, `d4:code…`),
 *   so it is an nREPL client: evaluating that as JavaScript would make no
 *   sense, and the prepl would wait forever for a newline that never comes.
 *
 * Pure: bytes in, words out. It opens, reads and closes nothing.
 */

/** A protocol that is not nREPL, as seen from the bytes a peer sent. */
export type ForeignProtocol = 'plain REPL' | 'prepl (EDN)' | 'prepl (JSON)';

/** What a server that is not nREPL sent first, or undefined when the bytes say nothing we know. */
export function foreignServer(head: Uint8Array): ForeignProtocol | undefined {
  const text = Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString('latin1');
  if (/^\{\s*:tag\s/.test(text)) return 'prepl (EDN)';
  if (/^\{\s*"tag"\s*:/.test(text)) return 'prepl (JSON)';
  // node's and nrepl-ts's `> `, Clojure's `user=> `, or our own notice to an nREPL client.
  if (/^(?:[\w.*+!?$%&<>/-]*=)?> /.test(text) || text.startsWith(PLAIN_REPL_NOTICE_START)) return 'plain REPL';
  return undefined;
}

/** `nc HOST PORT` (or `nc -U PATH`) for a client target written `host:port`, `[v6]:port` or `nrepl+unix:path`. */
export function ncCommand(target: string): string {
  if (target.startsWith('nrepl+unix:')) return `nc -U ${target.slice('nrepl+unix:'.length)}`;
  const m = /^\[?(.*?)\]?:(\d+)$/.exec(target);
  return m ? `nc ${m[1]} ${m[2]}` : `nc ${target}`;
}

/** The client's one line for a server at `target` that speaks `protocol`. */
export function foreignServerMessage(protocol: ForeignProtocol, target: string): string {
  const nrepl = 'or point this client at the app\'s nREPL port (the one in .nrepl-port)';
  if (protocol === 'plain REPL') {
    return `${target} is a plain REPL, not an nREPL server; type into it with \`${ncCommand(target)}\` (or telnet), ${nrepl}`;
  }
  return `${target} is a ${protocol}, not an nREPL server; send it one form per line (e.g. \`${ncCommand(target)}\`) or use a prepl client, ${nrepl}`;
}

/** True when `head`, the first bytes a client sent, start a bencode dict: `d`, a string key (`2:op`), then a value. */
export function startsBencodeDict(head: Uint8Array): boolean {
  const text = Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString('latin1');
  const m = /^d(\d{1,3}):/.exec(text);
  if (!m) return false;
  const next = text.charAt(m[0].length + Number(m[1]));
  // A bencode value starts with a string length, `i`, `l` or `d`; a key no longer than the text so far is needed.
  return text.length > m[0].length + Number(m[1]) && /[0-9ild]/.test(next);
}

const PLAIN_REPL_NOTICE_START = 'nrepl-ts: this is a plain REPL';

/** The prepl's words to an nREPL client (sent as an `err` message) before it closes the connection. */
export function preplNotice(server: string): string {
  return `nrepl-ts: this is a prepl (server ${server}, nrepl-ts/prepl), not nREPL: send it one form per line, or point your nREPL client at the app's nREPL port (the one in .nrepl-port)\n`;
}

/** The plain REPL's one line to an nREPL client before it closes the connection. */
export function plainReplNotice(server: string): string {
  return `${PLAIN_REPL_NOTICE_START} (server ${server}, nrepl-ts/repl), not nREPL: type JavaScript into it with nc or telnet, or point your nREPL client at the app's nREPL port (the one in .nrepl-port)\n`;
}
