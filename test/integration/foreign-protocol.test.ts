/**
 * Pointing the wrong client at a port: `nrepl-ts connect` against a plain
 * REPL or a prepl says what is there and which client to use, and the plain
 * REPL answers an nREPL client's bencode with one line instead of evaluating
 * it (src/shared/foreign.ts).
 */
import { describe, expect, it } from 'vitest';
import { spawnWithAgent, waitForServerPort } from '../helpers/agent';
import { connectText } from '../helpers/text-client';
import { runCli } from '../cli/helpers';

async function app(): Promise<{ repl: number; prepl: number }> {
  const child = spawnWithAgent({
    env: { NREPL_SERVER_REPL: '{:port 0 :accept nrepl-ts/repl}', NREPL_SERVER_PREPL: '{:port 0 :accept nrepl-ts/prepl}' },
  });
  return { repl: await waitForServerPort(child, 'repl'), prepl: await waitForServerPort(child, 'prepl') };
}

describe('the wrong client on a port', () => {
  it('nrepl-ts connect on a plain REPL names it and suggests nc', async () => {
    const { repl } = await app();
    const r = await runCli(['connect', '--port', String(repl)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`nrepl-ts: 127.0.0.1:${repl} is a plain REPL, not an nREPL server; type into it with \`nc 127.0.0.1 ${repl}\` (or telnet)`);
    expect(r.stderr).not.toContain('bencode');
  });

  it('nrepl-ts connect on a prepl names it', async () => {
    const { prepl } = await app();
    const r = await runCli(['connect', '--port', String(prepl)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`nrepl-ts: 127.0.0.1:${prepl} is a prepl (EDN), not an nREPL server`);
  });

  it('the plain REPL answers bencode with one line and closes, evaluating nothing', async () => {
    const { repl } = await app();
    const client = await connectText(repl);
    await client.until(/^> /);
    client.send('d2:op8:describe2:id1:1e');
    await client.closed;
    const reply = client.received();
    expect(reply).toMatch(/^nrepl-ts: this is a plain REPL \(server repl, nrepl-ts\/repl\), not nREPL: [^\n]*\n$/);
    expect(reply).not.toContain('Uncaught');
  });

  it('the plain REPL still evaluates code that merely starts with d', async () => {
    const { repl } = await app();
    const client = await connectText(repl);
    await client.until(/^> /);
    client.send('d2 = 40 + 2\n');
    expect(await client.until(/> $/)).toContain('42');
    client.end();
  });
});
