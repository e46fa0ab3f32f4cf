import * as net from 'node:net';
import { describe, expect, it } from 'vitest';
import { decodeAddress, findSocket, parseProcNetTcp } from '../../src/connection/proc-net-tcp';

const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 12345 1 0000000000000000 100 0 0 10 0
   1: 0100007F:D431 0100007F:1F90 05 00000000:00000000 00:00000000 00000000     0        0 0 1 0000000000000000 20 4 30 10 -1
garbage line
`;

describe('parseProcNetTcp', () => {
  it('reads addresses, ports, state, uid and inode of each row', () => {
    expect(parseProcNetTcp(TCP)).toEqual([
      { localAddress: '127.0.0.1', localPort: 8080, remoteAddress: '0.0.0.0', remotePort: 0, state: 10, uid: 1000, inode: 12345 },
      { localAddress: '127.0.0.1', localPort: 54321, remoteAddress: '127.0.0.1', remotePort: 8080, state: 5, uid: 0, inode: 0 },
    ]);
  });

  it('decodes IPv6, IPv4-mapped IPv6 and ::1 (words in little-endian order)', () => {
    expect(decodeAddress('00000000000000000000000001000000')).toBe('::1');
    expect(decodeAddress('0000000000000000FFFF00000100007F')).toBe('::ffff:127.0.0.1');
    expect(decodeAddress('B80D0120000000000000000001000000')).toBe('2001:db8::1');
  });
});

describe('findSocket (Linux)', () => {
  it('finds the client side of a live loopback connection, owned (inode > 0) by this process’s uid', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const accepted = new Promise<net.Socket>((r) => server.once('connection', r));
    const client = net.connect(port, '127.0.0.1');
    await new Promise<void>((r) => client.once('connect', r));
    const seen = await accepted;
    try {
      const row = findSocket(seen.remoteAddress!, seen.remotePort!, seen.localAddress!, seen.localPort!);
      expect(row).toMatchObject({ localPort: client.localPort, remotePort: port, uid: process.getuid!() });
      expect(row!.inode).toBeGreaterThan(0);
    } finally {
      client.destroy();
      seen.destroy();
      server.close();
    }
  });
});
