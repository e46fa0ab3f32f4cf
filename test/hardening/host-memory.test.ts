// Per-connection and per-request state on the host's main thread must not
// outlive the connection or the request: an app that lives for months sees
// millions of editor connections and requests (the soak sends thousands a
// second).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WorkerCalls } from '../../src/main/worker-calls';
import { APPS } from '../helpers/agent';
import { open, startHost } from './helpers';

/**
 * The host thread's live heap in KB, measured by an eval: a heap snapshot
 * (streamed to nowhere) runs V8's memory-reducing GC, which also drops the
 * compilation cache that a plain gc() keeps. Needs the host started with --expose-gc.
 */
const LIVE_HEAP = "await new Promise((done, failed) => { const s = require('node:v8').getHeapSnapshot(); s.on('data', () => {}); s.on('end', done); s.on('error', failed); }); gc(); Math.round(process.memoryUsage().heapUsed / 1024)";

describe('host-side bookkeeping', () => {
  // Per-connection state is kept only while the connection is open (white-box on purpose:
  // a number per connection grows too slowly to see in RSS within a test).
  it('forgets closed connections', () => {
    const calls = new WorkerCalls(() => {}, new Int32Array(new SharedArrayBuffer(8)));
    for (let conn = 1; conn <= 10_000; conn++) {
      calls.receive({ t: 'eval', call: conn, kind: 'eval', mode: 'eval', conn, session: `s${conn}`, ephemeral: true, code: '1', async: false, print: {} } as never);
      calls.receive({ t: 'eval', call: 0, kind: 'connection-closed', conn } as never);
    }
    const kept = (calls as unknown as { connections: Map<number, unknown> }).connections;
    expect(kept.size, 'entries kept for 10,000 closed connections').toBeLessThan(100);
  });

  // Lookups stash the function in one fixed slot read by one constant expression: V8's
  // inspector keeps every distinct script it compiles, so nothing may vary per call.
  it('lookups keep nothing per call: 4,000 info requests grow the live heap by less than 1 MB', async () => {
    const host = await startHost({ app: join(APPS, 'soak-http.cjs'), nodeArgs: ['--expose-gc'] });
    const c = await open(host.port);
    await c.request({ op: 'info', sym: 'Math.max' });
    const before = Number((await c.eval(LIVE_HEAP)).values[0]);
    for (let i = 0; i < 4000; i++) await c.request({ op: 'info', sym: 'Math.max' });
    const after = Number((await c.eval(LIVE_HEAP)).values[0]);
    expect(after - before, `live heap ${before} KB -> ${after} KB`).toBeLessThan(1024);
  });
});
