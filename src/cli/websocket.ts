/**
 * The smallest WebSocket client `nrepl-ts attach` needs to talk to a Node
 * inspector on loopback (RFC 6455): the opening handshake, masked text
 * frames out, unmasked frames in (text, close, ping; fragments joined).
 * Written here rather than depending on `ws` or Node 22's global WebSocket
 * so that attach works the same on every supported Node, with no package
 * that could ever be loaded into a host.
 *
 * `encodeFrame` and `FrameDecoder` are pure (no socket); `openWebSocket`
 * wires them to a net socket. No extensions, no subprotocols, no TLS.
 */
import { createHash, randomBytes } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export const Opcodes = { CONTINUATION: 0, TEXT: 1, BINARY: 2, CLOSE: 8, PING: 9, PONG: 10 } as const;

/** A client frame: FIN set, masked with `mask` (4 bytes). Pure. */
export function encodeFrame(opcode: number, payload: Buffer, mask: Buffer): Buffer {
  const length = payload.length;
  const headerLength = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = Buffer.alloc(headerLength + 4 + length);
  frame[0] = 0x80 | opcode;
  if (length < 126) frame[1] = 0x80 | length;
  else if (length < 65536) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  mask.copy(frame, headerLength, 0, 4);
  for (let i = 0; i < length; i++) frame[headerLength + 4 + i] = payload[i]! ^ mask[i % 4]!;
  return frame;
}

/** A whole message from the server. */
export interface Message {
  opcode: number;
  payload: Buffer;
}

/** Turns server bytes into messages; `push` returns the messages completed so far. Throws on a frame it cannot take. */
export class FrameDecoder {
  private buffer: Buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private fragmentOpcode = 0;

  constructor(private readonly maxBytes = 64 * 1024 * 1024) {}

  push(chunk: Buffer): Message[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const out: Message[] = [];
    for (;;) {
      if (this.buffer.length < 2) return out;
      const fin = (this.buffer[0]! & 0x80) !== 0;
      const opcode = this.buffer[0]! & 0x0f;
      const masked = (this.buffer[1]! & 0x80) !== 0;
      let length = this.buffer[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (this.buffer.length < 4) return out;
        length = this.buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (this.buffer.length < 10) return out;
        const big = this.buffer.readBigUInt64BE(2);
        if (big > BigInt(this.maxBytes)) throw new Error(`WebSocket frame of ${big} bytes is larger than ${this.maxBytes}`);
        length = Number(big);
        offset = 10;
      }
      if (length > this.maxBytes) throw new Error(`WebSocket frame of ${length} bytes is larger than ${this.maxBytes}`);
      const maskOffset = offset;
      if (masked) offset += 4;
      if (this.buffer.length < offset + length) return out;
      let payload = this.buffer.subarray(offset, offset + length);
      if (masked) {
        const key = this.buffer.subarray(maskOffset, maskOffset + 4);
        payload = Buffer.from(payload.map((b, i) => b ^ key[i % 4]!));
      }
      this.buffer = this.buffer.subarray(offset + length);
      if (opcode >= 8) {
        out.push({ opcode, payload: Buffer.from(payload) }); // control frames are never fragmented
        continue;
      }
      if (opcode !== Opcodes.CONTINUATION) this.fragmentOpcode = opcode;
      this.fragments.push(Buffer.from(payload));
      if (fin) {
        out.push({ opcode: this.fragmentOpcode, payload: Buffer.concat(this.fragments) });
        this.fragments = [];
      }
    }
  }
}

/** The `Sec-WebSocket-Accept` a server must answer to `key`. Pure. */
export function acceptKey(key: string): string {
  return createHash('sha1').update(key + GUID).digest('base64');
}

/** An open connection: send text, receive text messages, close. */
export interface WebSocketClient {
  send(text: string): void;
  onMessage(listener: (text: string) => void): void;
  /** Resolves when the connection is gone (closed by either side or failed). */
  closed: Promise<void>;
  close(): void;
}

/** Connects to `ws://host:port/path`; rejects with one sentence on failure. */
export function openWebSocket(url: string, timeoutMs = 5_000): Promise<WebSocketClient> {
  const parsed = new URL(url);
  if (parsed.protocol !== 'ws:') return Promise.reject(new Error(`${url}: only ws:// URLs are supported`));
  const key = randomBytes(16).toString('base64');
  return new Promise((resolve, reject) => {
    const socket: Socket = netConnect({ host: parsed.hostname.replace(/^\[|\]$/g, ''), port: Number(parsed.port || 80) });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no WebSocket handshake from ${url} within ${timeoutMs} ms`));
    }, timeoutMs);
    let head = Buffer.alloc(0);
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot connect to ${url}: ${err.message}`));
    });
    socket.on('connect', () => {
      socket.write(`GET ${parsed.pathname}${parsed.search} HTTP/1.1\r\nHost: ${parsed.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    });
    const onHead = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onHead);
      clearTimeout(timer);
      const text = head.subarray(0, end).toString('latin1');
      const accept = /^sec-websocket-accept:\s*(\S+)/im.exec(text)?.[1];
      if (!/^HTTP\/1\.1 101/.test(text) || accept !== acceptKey(key)) {
        socket.destroy();
        reject(new Error(`${url} did not accept the WebSocket upgrade (${text.split('\r\n')[0]})`));
        return;
      }
      resolve(wrap(socket, head.subarray(end + 4)));
    };
    socket.on('data', onHead);
  });
}

function wrap(socket: Socket, rest: Buffer): WebSocketClient {
  const decoder = new FrameDecoder();
  const listeners: Array<(text: string) => void> = [];
  const closed = new Promise<void>((done) => socket.once('close', () => done()));
  socket.on('error', () => {});
  const write = (opcode: number, payload: Buffer) => {
    if (!socket.destroyed) socket.write(encodeFrame(opcode, payload, randomBytes(4)));
  };
  const receive = (chunk: Buffer) => {
    let messages: Message[];
    try {
      messages = decoder.push(chunk);
    } catch {
      socket.destroy();
      return;
    }
    for (const m of messages) {
      if (m.opcode === Opcodes.TEXT) for (const l of listeners) l(m.payload.toString('utf8'));
      else if (m.opcode === Opcodes.PING) write(Opcodes.PONG, m.payload);
      else if (m.opcode === Opcodes.CLOSE) socket.end();
    }
  };
  socket.on('data', receive);
  return {
    send: (text) => write(Opcodes.TEXT, Buffer.from(text, 'utf8')),
    onMessage: (listener) => {
      listeners.push(listener);
      if (rest.length > 0) {
        const pending = rest;
        rest = Buffer.alloc(0);
        receive(pending);
      }
    },
    closed,
    close: () => {
      write(Opcodes.CLOSE, Buffer.alloc(0));
      socket.end();
      setTimeout(() => socket.destroy(), 500).unref();
    },
  };
}
