// Clojure's namespace model (issue 11), in a real app that owns a global
// `store`: declarations live in the eval's ns, shared by every session and
// accept kind in that ns, re-declarable from each, never on the global object.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { APPS, spawnWithAgent, waitForNreplPort, waitForServerPort } from '../helpers/agent';
import { connect } from '../../src/client/client';
import { connectText, type TextClient } from '../helpers/text-client';
import { SERVERS_ALL_KINDS, track } from '../helpers/clients';

const SERVERS = SERVERS_ALL_KINDS;


async function start() {
  const child = spawnWithAgent({ cwd: join(APPS, 'modules'), app: 'app.js', env: SERVERS });
  await child.waitFor(/app ready/, { from: 'stdout' });
  const client = await connect({ port: await waitForNreplPort(child) }, { timeoutMs: 20_000 });
  track(client);
  return { child, client };
}

async function text(port: number): Promise<TextClient> {
  const c = await connectText(port);
  track(c);
  return c;
}

describe('namespaces', () => {
  it("keep the app's global store after const store = 9, shared in one ns, apart between two", async () => {
    const { client } = await start();
    const [a, b] = [await client.clone(), await client.clone()];
    expect((await client.eval('const store = 9', { session: a })).values).toEqual(['undefined']);
    expect((await client.eval('store', { session: b })).values).toEqual(['9']);
    expect((await client.eval('globalThis.store.owner', { session: b })).values).toEqual(["'app'"]);
    expect((await client.eval('store.owner', { session: a, ns: 'other' })).values).toEqual(["'app'"]);
    expect((await client.eval('const store = 10; function bump() { return store + 1 }', { session: b, ns: 'other' })).err).toBe('');
    expect((await client.eval('bump() + store', { session: a, ns: 'other' })).values).toEqual(['21']);
    expect((await client.eval('[store, typeof bump]', { session: a })).values).toEqual(["[ 9, 'undefined' ]"]);
    // Only an explicit assignment reaches the global object.
    expect((await client.eval("globalThis.fromRepl = 1; typeof globalThis.bump + ' ' + globalThis.fromRepl", { session: a })).values).toEqual(["'undefined 1'"]);
  });

  it('agree across the plain REPL, the prepl and nREPL, each able to re-declare', async () => {
    const { child, client } = await start();
    const repl = await text(await waitForServerPort(child, 'r'));
    await repl.until(/> $/);
    repl.send('const store = 1\n');
    await repl.until(/> $/);
    repl.send('const store = 2; store\n');
    expect(await repl.until(/> $/)).toBe('2\n> ');

    const prepl = await text(await waitForServerPort(child, 'p'));
    prepl.send('const store = store + 1; store\n');
    expect(await prepl.until(/"tag":"ret".*\n/)).toMatch(/"val":"3"/);

    expect((await client.eval('let store = store * 10; store')).values).toEqual(['30']);
    repl.send('[store, globalThis.store.owner]\n');
    expect(await repl.until(/> $/)).toBe("[ 30, 'app' ]\n> ");
  });
});
