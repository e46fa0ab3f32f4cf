// Conformance, describe (spec §2.1, §8.9, issue 3 "Ops"): every op listed,
// versions for nrepl-ts, node and the protocol (and no clojure key, so
// CIDER treats the server as generic), aux current-ns, docs when verbose?.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/agent';
import { expectEchoes, expectSingleDone, expectStatuses, open, show, startHost, statuses, type Response } from './harness';

const OPS = ['clone', 'close', 'describe', 'eval', 'interrupt', 'load-file', 'ls-sessions', 'stdin', 'completions', 'lookup', 'forward-system-output'];

function asDict(value: unknown, what: string): Record<string, unknown> {
  expect(value !== null && typeof value === 'object' && !Array.isArray(value) && !Buffer.isBuffer(value), `${what} must be a dict, got ${JSON.stringify(value)}`).toBe(true);
  return value as Record<string, unknown>;
}

function expectVersion(value: unknown, what: string): Record<string, unknown> {
  const v = asDict(value, what);
  for (const key of ['major', 'minor', 'incremental', 'version-string']) expect(v, `${what} has ${key}`).toHaveProperty(key);
  for (const key of ['major', 'minor', 'incremental']) expect(Number.isInteger(Number(v[key])), `${what}.${key} is an integer: ${JSON.stringify(v)}`).toBe(true);
  expect(typeof v['version-string'], `${what}.version-string is a string`).toBe('string');
  return v;
}

async function describeOnce(fields: Record<string, unknown> = {}): Promise<{ reply: Response; responses: Response[] }> {
  const host = await startHost();
  const c = await open(host.port);
  const responses = await c.request({ op: 'describe', id: 'd-1', ...(fields as Record<string, string>) });
  expectStatuses(statuses(responses), ['done'], 'describe');
  expectEchoes(responses, 'd-1', undefined, 'describe');
  await expectSingleDone(c, 'd-1', responses);
  expect(responses.length, `describe answers in one message: ${show(responses)}`).toBe(1);
  return { reply: responses[0]!, responses };
}

describe('describe', () => {
  it('lists every op as a dict', async () => {
    const { reply } = await describeOnce();
    const ops = asDict(reply.ops, 'ops');
    for (const op of OPS) {
      expect(Object.keys(ops), `describe must list op "${op}"`).toContain(op);
      asDict(ops[op], `ops.${op}`);
    }
  });

  it('reports versions of nrepl-ts, node and nrepl, and no clojure key', async () => {
    const { reply } = await describeOnce();
    const versions = asDict(reply.versions, 'versions');
    expect(Object.keys(versions), 'versions must not have a clojure key (CIDER would switch to Clojure mode)').not.toContain('clojure');
    const ours = expectVersion(versions['nrepl-ts'], 'versions.nrepl-ts');
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(ours['version-string'], 'versions.nrepl-ts is the package version').toBe(pkg.version);
    const node = expectVersion(versions.node, 'versions.node');
    const [major, minor, patch] = process.versions.node.split('.').map(Number);
    expect([Number(node.major), Number(node.minor), Number(node.incremental)], 'versions.node is the running Node').toEqual([major, minor, patch]);
    expect(String(node['version-string'])).toContain(process.versions.node);
    expectVersion(versions.nrepl, 'versions.nrepl');
  });

  it('has aux {current-ns "user"}', async () => {
    const { reply } = await describeOnce();
    expect(asDict(reply.aux, 'aux')['current-ns']).toBe('user');
  });

  it.each<[string, string | number]>([
    ['i1e', 1],
    ['"true"', 'true'],
  ])('with verbose? %s gives each op a doc string', async (_label, flag) => {
    const { reply } = await describeOnce({ 'verbose?': flag });
    const ops = asDict(reply.ops, 'ops');
    for (const op of OPS) {
      const doc = asDict(ops[op], `ops.${op}`).doc;
      expect(typeof doc === 'string' && doc.length > 0, `ops.${op}.doc must be a non-empty string with verbose?, got ${JSON.stringify(doc)}`).toBe(true);
    }
  });

  it('answers in a persistent session, echoing it', async () => {
    const host = await startHost();
    const c = await open(host.port);
    const session = await c.clone();
    const responses = await c.request({ op: 'describe', id: 'd-s', session });
    expectStatuses(statuses(responses), ['done'], 'describe in a session');
    expectEchoes(responses, 'd-s', session, 'describe in a session');
  });
});
