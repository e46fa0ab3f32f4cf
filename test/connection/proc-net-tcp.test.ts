// The socket-table reader behind the peer checks (uid and "does the client still hold its socket").
// Address encoding and chunked search are tested in test/server/peer-uid.test.ts.
import * as net from 'node:net';
import { describe, expect, it } from 'vitest';
import { clientSocket, findSocketRow, procAddress, systemTableReader } from '../../src/worker/connection/proc-net-tcp';

const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 12345 1 0000000000000000 100 0 0 10 0
   1: 0100007F:D431 0100007F:1F90 05 00000000:00000000 00:00000000 00000000     0        0 0 1 0000000000000000 20 4 30 10 -1
`;

describe('findSocketRow', () => {
  it('reads the uid and the inode of the row (inode 0: no process holds the socket)', () => {
    const client = procAddress({ address: '127.0.0.1', port: 54321 }, 'v4', 'LE')!;
    const server = procAddress({ address: '127.0.0.1', port: 8080 }, 'v4', 'LE')!;
    expect(findSocketRow(TCP, client, server)).toEqual({ uid: 0, inode: 0 });
    expect(findSocketRow(TCP, server, procAddress({ address: '0.0.0.0', port: 0 }, 'v4', 'LE')!)).toEqual({ uid: 1000, inode: 12345 });
    expect(findSocketRow(TCP, server, client)).toBeUndefined();
  });
});

describe('clientSocket on this machine (Linux)', () => {
  it('finds a live client owned (inode > 0) by this uid, and its orphaned remains once it is destroyed', async () => {
    const read = systemTableReader();
    expect(read, 'Linux with /proc/net/tcp').toBeDefined();
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const accepted = new Promise<net.Socket>((r) => server.once('connection', r));
    const client = net.connect(port, '127.0.0.1');
    await new Promise<void>((r) => client.once('connect', r));
    const seen = await accepted;
    seen.on('error', () => {});
    const ends = () => [{ address: seen.remoteAddress!, port: seen.remotePort! }, { address: seen.localAddress!, port: seen.localPort! }] as const;
    try {
      const [c, s] = ends();
      const row = clientSocket(c, s, { read: read! });
      expect(row?.uid).toBe(process.getuid!());
      expect(row!.inode).toBeGreaterThan(0);
      client.destroy();
      await new Promise((r) => setTimeout(r, 50));
      const after = clientSocket(c, s, { read: read! });
      expect(after === undefined || after.inode === 0, `row after destroy: ${JSON.stringify(after)}`).toBe(true);
    } finally {
      client.destroy();
      seen.destroy();
      server.close();
    }
  });
});

describe('SocketLookups', () => {
  it('serves every lookup queued before a pass with one read of the table, and stops reading once all are found', async () => {
    const { SocketLookups } = await import('../../src/worker/connection/proc-net-tcp');
    let reads = 0;
    const lookups = new SocketLookups((name, onChunk) => {
      reads += 1;
      if (name === 'tcp') onChunk(TCP);
    }, 'LE');
    const [a, b, missing] = await Promise.all([
      lookups.lookup({ address: '127.0.0.1', port: 54321 }, { address: '127.0.0.1', port: 8080 }),
      lookups.lookup({ address: '127.0.0.1', port: 8080 }, { address: '0.0.0.0', port: 0 }),
      lookups.lookup({ address: '127.0.0.1', port: 1 }, { address: '127.0.0.1', port: 2 }),
    ]);
    expect(a).toEqual({ uid: 0, inode: 0 });
    expect(b).toEqual({ uid: 1000, inode: 12345 });
    expect(missing).toBeUndefined();
    // One pass over tcp and tcp6 for all three, and a second for the one not found (a row may move between reads).
    expect(reads).toBe(4);
  });
});
