// target.ts: where client commands connect, from options, a target argument
// or the nearest .nrepl-port (file system injected).
import { describe, expect, it } from 'vitest';
import { describeTarget, findPortFile, parseTargetText, resolveTarget } from '../../src/cli/target';

const files = (entries: Record<string, string>) => (path: string) => entries[path];

describe('parseTargetText', () => {
  it('accepts nrepl:// URLs, nrepl+unix:, host:port, a bare port and socket paths', () => {
    expect(parseTargetText('nrepl://localhost:7888')).toEqual({ host: 'localhost', port: 7888 });
    expect(parseTargetText('nrepl://[::1]:7888/')).toEqual({ host: '::1', port: 7888 });
    expect(parseTargetText('nrepl+unix:/tmp/app.sock')).toEqual({ socket: '/tmp/app.sock' });
    expect(parseTargetText('nrepl+unix:///tmp/app.sock')).toEqual({ socket: '/tmp/app.sock' });
    expect(parseTargetText('example.org:1234')).toEqual({ host: 'example.org', port: 1234 });
    expect(parseTargetText('7888')).toEqual({ host: '127.0.0.1', port: 7888 });
    expect(parseTargetText('./app.sock')).toEqual({ socket: './app.sock' });
  });

  it('explains what it expected', () => {
    expect(parseTargetText('http://x:1')).toMatch(/only nrepl:\/\/ and nrepl\+unix: URLs/);
    expect(parseTargetText('nrepl://x')).toMatch(/expected nrepl:\/\/HOST:PORT/);
    expect(parseTargetText('x:70000')).toMatch(/port must be 1-65535/);
  });
});

describe('resolveTarget', () => {
  it('uses --port and --host, or --socket', () => {
    expect(resolveTarget({ port: '7888' }, '/x')).toEqual({ ok: true, resolved: { target: { host: '127.0.0.1', port: 7888 } } });
    expect(resolveTarget({ port: '7888', host: 'h' }, '/x')).toEqual({ ok: true, resolved: { target: { host: 'h', port: 7888 } } });
    expect(resolveTarget({ socket: '/s' }, '/x')).toEqual({ ok: true, resolved: { target: { socket: '/s' } } });
  });

  it('walks up from the cwd to the nearest .nrepl-port', () => {
    const read = files({ '/a/.nrepl-port': '5555\n', '/.nrepl-port': '1' });
    expect(resolveTarget({}, '/a/b/c', read)).toEqual({ ok: true, resolved: { target: { host: '127.0.0.1', port: 5555 }, portFile: '/a/.nrepl-port' } });
    expect(resolveTarget({ host: '::1' }, '/a/b', read)).toMatchObject({ ok: true, resolved: { target: { host: '::1', port: 5555 } } });
    expect(findPortFile('/a/b', read)).toEqual({ path: '/a/.nrepl-port', text: '5555\n' });
  });

  it('says what to do when there is no port file, or a bad one', () => {
    expect(resolveTarget({}, '/x/y', files({}))).toEqual({
      ok: false,
      error: 'nrepl-ts: no .nrepl-port found in /x/y or its parents; start the app with `nrepl-ts run app.js` or pass --port',
    });
    expect(resolveTarget({}, '/x', files({ '/x/.nrepl-port': 'oops' }))).toEqual({ ok: false, error: 'nrepl-ts: /x/.nrepl-port: expected a port number, got "oops"; delete the file or pass --port' });
    expect(resolveTarget({ port: 'abc' }, '/x')).toEqual({ ok: false, error: 'nrepl-ts: --port: expected a port number 1-65535, got "abc"' });
  });

  it('refuses conflicting ways to name the server', () => {
    expect(resolveTarget({ target: '7888', port: '1' }, '/x')).toMatchObject({ ok: false, error: expect.stringMatching(/either a target/) });
    expect(resolveTarget({ socket: '/s', port: '1' }, '/x')).toMatchObject({ ok: false, error: expect.stringMatching(/--socket cannot be combined/) });
  });
});

describe('describeTarget', () => {
  it('prints host:port, [v6]:port and nrepl+unix:path', () => {
    expect(describeTarget({ host: '127.0.0.1', port: 1 })).toBe('127.0.0.1:1');
    expect(describeTarget({ host: '::1', port: 1 })).toBe('[::1]:1');
    expect(describeTarget({ socket: '/s' })).toBe('nrepl+unix:/s');
  });
});
