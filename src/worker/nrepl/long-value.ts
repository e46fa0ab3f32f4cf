/**
 * The reply of an eval whose value is long (the nREPL eval op's, ops/eval.ts):
 * the main thread sends it in pieces (main/eval/value-streams.ts) and this
 * writes them as the client reads. The first piece comes with the value's
 * event; each piece written asks for the next once the socket has room (two
 * more the first time, so one is always on its way), handing back its buffer.
 * Everything else for the connection waits behind the reply (transport.ts
 * openReply), so the frame is never cut into.
 */
import { encode, encodeHead, FRAME_END } from '../../shared/bencode/bencode';
import type { resolvePrintOptions } from '../../shared/print/options';
import { stringField, type OpContext } from './dispatch';
import type { Message } from './transport';

/** Pieces asked for beyond the one being written, once the reply is writing: at most this many + 1 wait in the worker. */
const PIECES_BEHIND = 2;

/**
 * Writes one such value: as one `{value, ns}` reply whose head carries the
 * byte length, or with `stream?` as `{value}` runs (a run may span pieces)
 * then `{ns}`, as ops/eval.ts writes a short value. `ended` is called once,
 * when the reply is written or its connection is gone.
 */
export function writeLongValue(
  ctx: OpContext,
  value: { stream: number; bytes?: number },
  truncated: boolean,
  ns: string | undefined,
  print: ReturnType<typeof resolvePrintOptions>,
  ended: () => void,
): void {
  const link = ctx.server.mainThread;
  const stamp: Message = { id: stringField(ctx.request, 'id'), session: ctx.session.id };
  let over = false;
  const end = () => {
    if (over) return;
    over = true;
    ended();
  };
  const writer = ctx.connection.transport.openReply(() => {
    link.dropValue(value.stream);
    end();
  });
  const truncatedStatus = 'nrepl.middleware.print/truncated';
  if (!print.stream) {
    const fields: Message = {};
    if (ns !== undefined) fields.ns = ns;
    if (truncated) {
      fields.status = [truncatedStatus];
      fields['nrepl.middleware.print/truncated-keys'] = ['value'];
    }
    writer.write(encodeHead(fields, 'value', value.bytes ?? 0, stamp));
  }
  /** With stream?: bytes still to come of the run begun in an earlier piece. */
  let runLeft = 0;
  let askedAhead = false;
  link.readValue(value.stream, ctx.connection.conn, (piece) => {
    if (piece.failed) {
      // The main thread could not finish the value: a half-written reply ends only with its connection.
      ctx.connection.transport.close();
      writer.end();
      end();
      return;
    }
    const bytes = Buffer.from(piece.bytes.buffer, piece.bytes.byteOffset, piece.bytes.byteLength);
    const parts: Uint8Array[] = [];
    if (print.stream) {
      const starts = piece.runs ?? [];
      let at = 0;
      let next = 0;
      for (;;) {
        if (runLeft > 0) {
          const n = Math.min(runLeft, bytes.length - at);
          if (n === 0) break;
          parts.push(bytes.subarray(at, at + n));
          at += n;
          runLeft -= n;
          if (runLeft === 0) parts.push(FRAME_END);
        } else if (next < starts.length) {
          runLeft = starts[next++]!;
          parts.push(encodeHead({}, 'value', runLeft, stamp));
          if (runLeft === 0) parts.push(FRAME_END);
        } else break;
      }
    } else {
      parts.push(bytes);
    }
    if (piece.last) {
      if (!print.stream) parts.push(FRAME_END);
      else {
        if (piece.truncated) parts.push(encode({ status: [truncatedStatus] }, stamp));
        if (ns !== undefined) parts.push(encode({ ns }, stamp));
      }
      for (const part of parts) writer.write(part);
      writer.end();
      end();
      return;
    }
    // Once the socket is done with this piece, its buffer goes back with the next pull; the
    // first time, a few more are asked for, so one is always on its way.
    const more = () =>
      writer.whenWritable(() => {
        link.pullValue(value.stream, askedAhead ? 1 : 1 + PIECES_BEHIND, piece.bytes);
        askedAhead = true;
      });
    if (parts.length === 0) return more();
    parts.forEach((part, i) => writer.write(part, i === parts.length - 1 ? more : undefined));
  });
}
