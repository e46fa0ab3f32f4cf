// Unit tests of server/peer-uid.ts: /proc/net/tcp{,6} address encoding (byte
// order, IPv4-mapped IPv6), row lookup, and the refusal rule.
import { describe, expect, it } from 'vitest';
import { findSocketUid, peerRefusal, procAddress, scanTable, type PeerCheckContext, type TableReader } from '../../src/worker/server/peer-uid';

describe('procAddress', () => {
  it('IPv4 in /proc/net/tcp: the address as a native 32-bit word, the port as plain hex', () => {
    expect(procAddress({ address: '127.0.0.1', port: 8080 }, 'v4', 'LE')).toBe('0100007F:1F90');
    expect(procAddress({ address: '127.0.0.1', port: 8080 }, 'v4', 'BE')).toBe('7F000001:1F90');
    expect(procAddress({ address: '10.1.2.3', port: 1 }, 'v4', 'LE')).toBe('0302010A:0001');
    expect(procAddress({ address: '127.0.0.1', port: 65535 }, 'v4', 'LE')).toBe('0100007F:FFFF');
  });

  it('an IPv4-mapped address is its IPv4 form in tcp, and the mapped form in tcp6', () => {
    expect(procAddress({ address: '::ffff:127.0.0.1', port: 80 }, 'v4', 'LE')).toBe('0100007F:0050');
    expect(procAddress({ address: '::FFFF:127.0.0.1', port: 80 }, 'v6', 'LE')).toBe('0000000000000000FFFF00000100007F:0050');
    expect(procAddress({ address: '127.0.0.1', port: 80 }, 'v6', 'LE'), 'an IPv4 client of a dual-stack socket').toBe('0000000000000000FFFF00000100007F:0050');
    expect(procAddress({ address: '::ffff:127.0.0.1', port: 80 }, 'v6', 'BE')).toBe('00000000000000000000FFFF7F000001:0050');
  });

  it('IPv6 in /proc/net/tcp6: four native 32-bit words', () => {
    expect(procAddress({ address: '::1', port: 7888 }, 'v6', 'LE')).toBe('00000000000000000000000001000000:1ED0');
    expect(procAddress({ address: '::1', port: 7888 }, 'v6', 'BE')).toBe('00000000000000000000000000000001:1ED0');
    expect(procAddress({ address: 'fe80::1:2%lo', port: 1 }, 'v6', 'BE')).toBe('FE800000000000000000000000010002:0001');
    expect(procAddress({ address: '2001:db8::ff00:42:8329', port: 1 }, 'v6', 'LE')).toBe('B80D01200000000000FF000029834200:0001');
  });

  it('an IPv6 address has no /proc/net/tcp form', () => {
    expect(procAddress({ address: '::1', port: 1 }, 'v4', 'LE')).toBeUndefined();
  });
});

// A real /proc/net/tcp: a listener on 127.0.0.1:7888, the server's end of a connection (uid 1000) and the client's end (uid 1001).
const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1ED0 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 72907 1 0000000019b0a70a 100 0 0 10 0
   1: 0100007F:1ED0 0100007F:D431 01 00000000:00000000 00:00000000 00000000  1000        0 72950 1 0000000019b0a70b 20 4 30 10 -1
   2: 0100007F:D431 0100007F:1ED0 01 00000000:00000000 00:00000000 00000000  1001        0 72949 1 0000000019b0a70c 20 4 30 10 -1
`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:1ED1 00000000000000000000000001000000:E000 01 00000000:00000000 00:00000000 00000000  1000        0 1 1 0 20 4 30 10 -1
   1: 00000000000000000000000001000000:E000 00000000000000000000000001000000:1ED1 01 00000000:00000000 00:00000000 00000000     0        0 2 1 0 20 4 30 10 -1
`;

describe('findSocketUid', () => {
  it('finds the client’s row (local = client, remote = server), not the server’s end', () => {
    expect(findSocketUid(TCP, '0100007F:D431', '0100007F:1ED0')).toBe(1001);
    expect(findSocketUid(TCP, '0100007F:1ED0', '0100007F:D431')).toBe(1000);
  });
  it('ignores the header, and a row cut before its uid', () => {
    expect(findSocketUid(TCP, 'local_address', 'rem_address')).toBeUndefined();
    expect(findSocketUid(TCP.slice(0, TCP.indexOf('1001') - 2), '0100007F:D431', '0100007F:1ED0')).toBeUndefined();
  });
  it('undefined when no row matches', () => {
    expect(findSocketUid(TCP, '0100007F:D432', '0100007F:1ED0')).toBeUndefined();
    expect(findSocketUid('', '0100007F:D431', '0100007F:1ED0')).toBeUndefined();
  });
});

/** A reader handing out `text` in chunks of `size` characters; records how many chunks it gave. */
function chunked(tables: Record<string, string>, size: number): TableReader & { given: number } {
  const reader = ((name, onChunk) => {
    const text = tables[name];
    if (text === undefined) throw new Error(`no /proc/net/${name}`);
    for (let i = 0; i < text.length; i += size) {
      reader.given += 1;
      if (onChunk(text.slice(i, i + size))) return;
    }
  }) as TableReader & { given: number };
  reader.given = 0;
  return reader;
}

describe('scanTable', () => {
  it('finds the row whatever the chunk boundaries', () => {
    for (let size = 1; size <= TCP.length; size += 7) {
      expect(scanTable(chunked({ tcp: TCP }, size), 'tcp', '0100007F:D431', '0100007F:1ED0')?.uid, `chunks of ${size}`).toBe(1001);
    }
  });
  it('stops reading once found', () => {
    const reader = chunked({ tcp: TCP + TCP6.repeat(50) }, 64);
    expect(scanTable(reader, 'tcp', '0100007F:1ED0', '0100007F:D431')?.uid).toBe(1000);
    expect(reader.given).toBeLessThan(TCP.length / 64 + 2);
  });
  it('a table without a final newline still counts its last row', () => {
    expect(scanTable(chunked({ tcp: TCP.trimEnd() }, 50), 'tcp', '0100007F:D431', '0100007F:1ED0')?.uid).toBe(1001);
  });
});

describe('peerRefusal', () => {
  const ctx = (ownUid: number): PeerCheckContext => ({ ownUid, order: 'LE', read: chunked({ tcp: TCP, tcp6: TCP6 }, 100) });
  const server = { address: '127.0.0.1', port: 0x1ed0 };
  const client = { address: '127.0.0.1', port: 0xd431 };

  it('lets in a client of the same uid', () => {
    expect(peerRefusal(client, server, ctx(1001))).toBeUndefined();
  });
  it('refuses a client of another uid, naming both', () => {
    expect(peerRefusal(client, server, ctx(1000))).toBe("it runs as uid 1001, not as this process's uid 1000 (or root)");
  });
  it('lets in root', () => {
    expect(peerRefusal({ address: '::1', port: 0xe000 }, { address: '::1', port: 0x1ed1 }, ctx(1000))).toBeUndefined();
  });
  it('reads tcp6 for IPv6 clients', () => {
    expect(peerRefusal({ address: '::1', port: 0x1ed1 }, { address: '::1', port: 0xe000 }, ctx(5))).toMatch(/uid 1000/);
  });
  it('refuses a local client whose socket cannot be found (fail closed)', () => {
    expect(peerRefusal({ address: '127.0.0.1', port: 1 }, server, ctx(1001))).toMatch(/^cannot tell which user 127\.0\.0\.1:1 runs as/);
  });
  it('does not check clients from other machines', () => {
    expect(peerRefusal({ address: '192.0.2.7', port: 1 }, { address: '192.0.2.1', port: 7888 }, ctx(1001))).toBeUndefined();
  });
  it('checks a client that came over this machine’s own external address', () => {
    expect(peerRefusal({ address: '192.0.2.1', port: 1 }, { address: '192.0.2.1', port: 7888 }, ctx(1001))).toMatch(/^cannot tell/);
  });
});
