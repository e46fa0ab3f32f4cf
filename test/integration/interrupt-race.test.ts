// An interrupt that overtakes its eval (sent before the main thread has started it)
// must cancel the eval: it must never start afterwards and hold the main thread forever.
import { describe, expect, it } from 'vitest';
import { connect } from '../../src/client/client';
import { spawnWithAgent, tempDir, waitForNreplPort } from '../helpers/agent';

describe('interrupt racing its eval', () => {
  it.each([0, 1, 5])('cancels an eval interrupted %i ms after it was sent; the app keeps evaluating', async (delay) => {
    const child = spawnWithAgent({ cwd: tempDir() });
    const port = await waitForNreplPort(child);
    const a = await connect({ port });
    const b = await connect({ port });
    const session = await a.clone();
    for (let round = 0; round < 5; round++) {
      const id = `loop-${round}`;
      const evaluation = a.request({ op: 'eval', code: 'while (true) {}', session, id }, { timeoutMs: 10_000 });
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      await b.request({ op: 'interrupt', session, 'interrupt-id': id }, { timeoutMs: 10_000 });
      const statuses = (await evaluation).flatMap((r) => (Array.isArray(r.status) ? r.status : []));
      expect(statuses).toContain('interrupted');
      const after = await b.request({ op: 'eval', code: '20 + 22' }, { timeoutMs: 5_000 });
      expect(after.find((r) => r.value !== undefined)?.value).toBe('42');
    }
    await a.end();
    await b.end();
  });
});
