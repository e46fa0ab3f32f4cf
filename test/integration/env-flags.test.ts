// NREPL_DISABLE and NREPL_DEBUG read through one parser (src/env-flag.ts):
// every "off" spelling means off for both, in register.js, the gate and the logger.
import { describe, expect, it } from 'vitest';
import { spawnWithAgent } from '../helpers/agent';

const REPL = '{:port 0 :accept nrepl-ts/repl}';

describe('on/off environment flags', () => {
  it.each(['off', 'no', 'FALSE', '0', ''])('NREPL_DISABLE and NREPL_DEBUG set to %j: the agent stays on and prints no debug line', async (value) => {
    const child = spawnWithAgent({ env: { NREPL_DISABLE: value, NREPL_DEBUG: value, NREPL_SERVER_REPL: REPL } });
    await child.waitFor(/server repl \(\S+\) listening on/);
    // Every debug line (gate decision, config sources) is written before the server listens.
    expect(child.stderr()).not.toContain('[debug]');
  });

  it('NREPL_DEBUG=yes does print debug lines (the check above can see them)', async () => {
    const child = spawnWithAgent({ env: { NREPL_DEBUG: 'yes', NREPL_SERVER_REPL: REPL } });
    await child.waitFor(/server repl \(\S+\) listening on/);
    expect(child.stderr()).toMatch(/nrepl-ts\[debug\]: pid \d+: agent starting/);
  });
});
