// shared/config/verdicts.ts: the fingerprint of the exit check's inputs and the
// file of remembered valid configs, on real files in private temp folders.
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheable, configDigest, fingerprint, knownValid, MAX_VERDICTS, rememberValid } from '../../src/shared/config/verdicts';
import { tempDir } from '../helpers/agent';

function place(): { cwd: string; home: string; runtime: string } {
  const runtime = tempDir();
  chmodSync(runtime, 0o700);
  return { cwd: tempDir(), home: tempDir(), runtime };
}

describe('fingerprint', () => {
  it('is stable, and changes with any part and with where parts are cut', () => {
    expect(fingerprint(['a', 'b'])).toBe(fingerprint(['a', 'b']));
    expect(fingerprint(['a', 'b'])).not.toBe(fingerprint(['a', 'c']));
    expect(fingerprint(['ab', 'c'])).not.toBe(fingerprint(['a', 'bc']));
    expect(fingerprint(['x'])).toMatch(/^[0-9a-f]{16}-[0-9a-f]+$/);
  });
});

describe('configDigest', () => {
  it('changes with a config value, a config file, and the folder it is read from', () => {
    const { cwd, home } = place();
    const env = { NREPL_SERVER_REPL: '{:port 0 :accept nrepl-ts/repl}' };
    const first = configDigest({ env, cwd, home });
    expect(first).toBeDefined();
    expect(configDigest({ env, cwd, home })).toBe(first);
    expect(configDigest({ env: { NREPL_SERVER_REPL: '{:port 1 :accept nrepl-ts/repl}' }, cwd, home })).not.toBe(first);
    expect(configDigest({ env: { ...env, UNRELATED: 'x' }, cwd, home })).toBe(first);
    writeFileSync(join(cwd, '.nrepl.edn'), '{:port 0}');
    const withFile = configDigest({ env, cwd, home });
    expect(withFile).not.toBe(first);
    writeFileSync(join(cwd, '.nrepl.edn'), '{:port 1}');
    expect(configDigest({ env, cwd, home })).not.toBe(withFile);
    expect(configDigest({ env, cwd: tempDir(), home })).not.toBe(first);
  });

  it('gives none when a config file cannot be read, so the config is checked properly', () => {
    const { cwd, home } = place();
    mkdirSync(join(cwd, '.nrepl.edn'));
    expect(configDigest({ env: {}, cwd, home })).toBeUndefined();
  });

  it('never lets a JavaScript config be remembered', () => {
    expect(cacheable(undefined)).toBe(true);
    expect(cacheable('/p/.nreplrc.yaml')).toBe(true);
    for (const file of ['/p/.nreplrc.js', '/p/nrepl.config.mjs', '/p/.nreplrc.cjs']) expect(cacheable(file)).toBe(false);
  });
});

describe('remembered verdicts', () => {
  it('keeps a verdict in an owner-only file of the private folder, at most MAX_VERDICTS of them', () => {
    const { runtime } = place();
    const env = { XDG_RUNTIME_DIR: runtime };
    expect(knownValid('0123456789abcdef-1', 'rules', env)).toBe(false);
    rememberValid('0123456789abcdef-1', 'rules', env);
    expect(knownValid('0123456789abcdef-1', 'rules', env)).toBe(true);
    const file = join(runtime, 'nrepl-ts', 'valid-configs');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    for (let i = 0; i < MAX_VERDICTS + 5; i++) rememberValid(`${i.toString(16).padStart(16, '0')}-2`, 'rules', env);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(MAX_VERDICTS);
    expect(knownValid('0123456789abcdef-1', 'rules', env)).toBe(false);
  });

  it('writes nothing with NREPL_REGISTRY=off, and trusts no folder open to others', () => {
    const { runtime } = place();
    rememberValid('0123456789abcdef-1', 'rules', { XDG_RUNTIME_DIR: runtime, NREPL_REGISTRY: 'off' });
    expect(knownValid('0123456789abcdef-1', 'rules', { XDG_RUNTIME_DIR: runtime })).toBe(false);
    rememberValid('0123456789abcdef-1', 'rules', { XDG_RUNTIME_DIR: runtime });
    chmodSync(join(runtime, 'nrepl-ts'), 0o777);
    expect(knownValid('0123456789abcdef-1', 'rules', { XDG_RUNTIME_DIR: runtime })).toBe(false);
  });

  it("answers for zod only with the worker's full verdict, which a rules verdict never downgrades", () => {
    const { runtime } = place();
    const env = { XDG_RUNTIME_DIR: runtime };
    const digest = '0123456789abcdef-1';
    rememberValid(digest, 'rules', env);
    expect(knownValid(digest, 'rules', env)).toBe(true);
    expect(knownValid(digest, 'full', env), "the exit check's rules-only verdict").toBe(false);
    rememberValid(digest, 'full', env);
    expect(knownValid(digest, 'full', env)).toBe(true);
    expect(knownValid(digest, 'rules', env), 'a full verdict answers for the rules too').toBe(true);
    rememberValid(digest, 'rules', env);
    expect(knownValid(digest, 'full', env)).toBe(true);
    expect(readFileSync(join(runtime, 'nrepl-ts', 'valid-configs'), 'utf8')).toBe(`${digest} full\n`);
  });
});
