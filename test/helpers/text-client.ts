/**
 * A line-oriented TCP/unix client for the plain REPL, like `nc`: send text,
 * wait until the received text matches a pattern.
 */
import * as net from 'node:net';

export interface TextClient {
  send(text: string): void;
  /** Resolves with everything received so far once it matches `pattern` (searching after `since`). */
  until(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Text received since the last `until` match. */
  received(): string;
  closed: Promise<void>;
  end(): void;
  /** Closes the socket at once, as a client process that dies does. */
  destroy(): void;
}

/** Connects to a TCP port on loopback or a unix socket path. */
export function connectText(target: number | string): Promise<TextClient> {
  return new Promise((resolve, reject) => {
    const socket = typeof target === 'number' ? net.connect(target, '127.0.0.1') : net.connect(target);
    let buffer = '';
    let consumed = 0;
    const waiters = new Set<() => void>();
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      buffer += d;
      waiters.forEach((w) => w());
    });
    const closed = new Promise<void>((done) => socket.once('close', () => {
      waiters.forEach((w) => w());
      done();
    }));
    socket.once('error', reject);
    socket.once('connect', () =>
      resolve({
        send: (text) => socket.write(text),
        received: () => buffer.slice(consumed),
        closed,
        end: () => socket.end(),
        destroy: () => socket.destroy(),
        until: (pattern, timeoutMs = 10_000) =>
          new Promise((ok, fail) => {
            const check = () => {
              const rest = buffer.slice(consumed);
              const m = pattern.exec(rest);
              if (m) {
                consumed += m.index + m[0].length;
                done();
                ok(rest.slice(0, m.index + m[0].length));
              } else if (socket.destroyed) {
                done();
                fail(new Error(`connection closed before ${pattern}; received: ${JSON.stringify(rest)}`));
              }
            };
            const timer = setTimeout(() => {
              done();
              fail(new Error(`timed out waiting for ${pattern}; received: ${JSON.stringify(buffer.slice(consumed))}`));
            }, timeoutMs);
            const done = () => {
              clearTimeout(timer);
              waiters.delete(check);
            };
            waiters.add(check);
            check();
          }),
      }),
    );
  });
}
