// Per-connection bookkeeping on the host's main thread must not outlive the
// connection: an app that lives for months sees millions of editor
// connections come and go (the soak opens thousands a minute).
import { describe, expect, it } from 'vitest';
import { HostCalls } from '../../src/eval/host-calls';

describe('host-side bookkeeping', () => {
  // Per-connection state is kept only while the connection is open (white-box on purpose:
  // a number per connection grows too slowly to see in RSS within a test).
  it('forgets closed connections', () => {
    const calls = new HostCalls(() => {}, new Int32Array(new SharedArrayBuffer(8)));
    for (let conn = 1; conn <= 10_000; conn++) {
      calls.receive({ t: 'eval', call: conn, kind: 'eval', mode: 'eval', conn, session: `s${conn}`, ephemeral: true, code: '1', async: false, print: {} } as never);
      calls.receive({ t: 'eval', call: 0, kind: 'connection-closed', conn } as never);
    }
    const kept = (calls as unknown as { connections: Map<number, unknown> }).connections;
    expect(kept.size, 'entries kept for 10,000 closed connections').toBeLessThan(100);
  });
});
