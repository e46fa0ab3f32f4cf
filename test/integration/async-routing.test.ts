// The output store (src/eval/capture.ts) costs the host: on Node 20/22 an
// enabled AsyncLocalStorage installs promise hooks, so every `await` of the
// app pays. It must be on only while an evaluation can need it: not for
// completions, on during a client's evaluations, off again once no client is
// connected — unless an evaluation left async work behind (a timer), whose
// output and errors still need their route.
//
// The host app (fixtures/apps/hook-probe.cjs) prints every 50 ms whether
// promise hooks are on in it. On Node 24 AsyncLocalStorage uses
// AsyncContextFrame and never installs promise hooks: there `on` reads false.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPS, type Child } from '../helpers/agent';
import { open, sleep, startHost, type Response } from '../hardening/helpers';

const HOOKS_SHOW = Number(process.versions.node.split('.')[0]) < 24;
const app = join(APPS, 'hook-probe.cjs');

/** The hooks state of the next `count` probes the host prints from now on. */
async function nextProbes(child: Child, count = 3): Promise<boolean[]> {
  const from = child.stdout().length;
  const pattern = new RegExp(`(?:probe \\d+ hooks=(?:true|false)\\n[\\s\\S]*?){${count}}`);
  await child.waitFor({ [Symbol.match]: (text: string) => pattern.exec(text.slice(from)) } as unknown as RegExp, { from: 'stdout' });
  return [...child.stdout().slice(from).matchAll(/probe \d+ hooks=(true|false)/g)].map((m) => m[1] === 'true');
}

/** Waits until the host reports hooks off (fails after the helper's timeout). */
async function untilOff(child: Child): Promise<void> {
  const from = child.stdout().length;
  await child.waitFor({ [Symbol.match]: (text: string) => /hooks=false/.exec(text.slice(from)) } as unknown as RegExp, { from: 'stdout' });
}

describe('the output store is on only while an evaluation can need it', () => {
  it('stays off for completions and other non-eval requests', async () => {
    const host = await startHost({ app });
    const c = await open(host.port);
    await c.request({ op: 'completions', prefix: 'proc' });
    await c.request({ op: 'describe' });
    expect(await nextProbes(host.child)).toEqual([false, false, false]);
    await c.end();
  });

  it('is on while a client that evaluated is connected, off once it left', async () => {
    const host = await startHost({ app });
    const c = await open(host.port);
    const session = await c.clone();
    const responses = await c.request({ op: 'eval', code: 'console.log("hi"); 1+1', session });
    expect(responses.map((r) => r.out ?? '').join('')).toBe('hi\n');
    expect((await nextProbes(host.child)).every((on) => on === HOOKS_SHOW)).toBe(true);
    await c.end();
    await untilOff(host.child);
    expect(await nextProbes(host.child)).toEqual([false, false, false]);
  });

  it('comes back on for the next client, and routes its timers again', async () => {
    const host = await startHost({ app });
    const first = await open(host.port);
    await first.request({ op: 'eval', code: '1', session: await first.clone() });
    await first.end();
    await untilOff(host.child);
    const late: Response[] = [];
    const c = await open(host.port, (r) => late.push(r));
    const session = await c.clone();
    const responses = await c.request({ op: 'eval', code: 'setTimeout(() => console.log("again"), 50); 2', session });
    expect(responses.some((r) => r.value === '2')).toBe(true);
    // Output of the timer reaches this client, not the host's stdout.
    for (let i = 0; i < 100 && !late.some((r) => r.out === 'again\n'); i++) await sleep(50);
    expect(late.filter((r) => r.out === 'again\n').map((r) => r.session)).toEqual([session]);
    expect(host.child.stdout()).not.toContain('again');
    await c.end();
  });

  it('stays on after the client left while a timer an evaluation started can still write', async () => {
    const host = await startHost({ app });
    const c = await open(host.port);
    const session = await c.clone();
    await c.request({ op: 'eval', code: 'setTimeout(() => console.log("late " + "line"), 600); 1', session });
    await c.end();
    // The route is still reachable: the timer's output, after the client left, goes to the host's stdout.
    await host.child.waitFor(/late line/, { from: 'stdout' });
    expect(await nextProbes(host.child)).toEqual([HOOKS_SHOW, HOOKS_SHOW, HOOKS_SHOW]);
  });
});
