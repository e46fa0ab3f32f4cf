import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { holdReason, textSetsDaemonOff, valueSetsDaemonOff } from '../../src/main/hold-hint';
import { tempTree } from '../config/tmp';

describe('textSetsDaemonOff', () => {
  it('finds a daemon option set to false in EDN, JSON and YAML', () => {
    for (const text of [
      '{:port 0 :server-daemon false}',
      '{:port 0, :client-daemon  false}',
      '{"port":0,"serverDaemon":false}',
      '{ "client-daemon" : false }',
      'servers:\n  dev:\n    clientDaemon: false\n',
      'server-daemon: False',
    ]) {
      expect(textSetsDaemonOff(text), text).toBe(true);
    }
  });

  it('ignores the word daemon elsewhere and daemon options left on', () => {
    for (const text of ['{:port 0 :accept nrepl-ts/repl}', 'a daemon', '{:server-daemon true}', '"serverDaemon": true', '{:daemon false}', '{:server-daemon falsey}']) {
      expect(textSetsDaemonOff(text), text).toBe(false);
    }
  });

  it('in JS counts any mention of a daemon option (its value may be computed), not the bare word', () => {
    expect(textSetsDaemonOff('module.exports = { serverDaemon: process.env.KEEP !== "1" }', { js: true })).toBe(true);
    expect(textSetsDaemonOff("module.exports = { 'client-daemon': !1 }", { js: true })).toBe(true);
    expect(textSetsDaemonOff('// starts the daemon\nmodule.exports = { port: 0 }', { js: true })).toBe(false);
  });
});

describe('valueSetsDaemonOff', () => {
  it('looks for the option keys with the value false at any depth', () => {
    expect(valueSetsDaemonOff({ servers: { dev: { serverDaemon: false } } })).toBe(true);
    expect(valueSetsDaemonOff({ 'client-daemon': false })).toBe(true);
    expect(valueSetsDaemonOff({ servers: { dev: { serverDaemon: true, note: 'daemon false' } } })).toBe(false);
    expect(valueSetsDaemonOff('serverDaemon: false')).toBe(false);
  });
});

describe('holdReason', () => {
  const home = tempTree();
  const env = (extra: Record<string, string> = {}) => ({ HOME: home, ...extra });

  it('names the NREPL_SERVER_* variable that sets a daemon option to false, and ignores other variables', () => {
    const cwd = tempTree();
    expect(holdReason(env({ NREPL_SERVER_DEV: '{:port 0 :server-daemon false}' }), cwd)).toBe('NREPL_SERVER_DEV');
    expect(holdReason(env({ NREPL_SERVER_DEV: '{:port 0}', OTHER: ':server-daemon false' }), cwd)).toBeUndefined();
  });

  it('does not hold for the word daemon in package.json outside its "nrepl" key', () => {
    const pkg = { name: 'daemon-tools', description: 'runs a daemon', scripts: { daemon: 'node d.js --server-daemon false' }, nrepl: { port: 0 } };
    const cwd = tempTree({ 'package.json': JSON.stringify(pkg) });
    expect(holdReason(env(), cwd)).toBeUndefined();
    const without = tempTree({ 'package.json': JSON.stringify({ name: 'x', serverDaemon: false }) });
    expect(holdReason(env(), without)).toBeUndefined();
  });

  it('holds for package.json\'s "nrepl" key, .nrepl.edn, the first rc file and the user nrepl.edn', () => {
    const pkg = tempTree({ 'package.json': JSON.stringify({ name: 'x', nrepl: { servers: { dev: { port: 0, clientDaemon: false } } } }) });
    expect(holdReason(env(), pkg)).toBe(`${join(pkg, 'package.json')} ("nrepl" key)`);
    const edn = tempTree({ '.nrepl.edn': '{:servers {:dev {:port 0 :server-daemon false}}}' });
    expect(holdReason(env(), edn)).toBe(join(edn, '.nrepl.edn'));
    const yaml = tempTree({ '.nreplrc.yaml': 'servers:\n  dev:\n    serverDaemon: false\n' });
    expect(holdReason(env(), yaml)).toBe(join(yaml, '.nreplrc.yaml'));
    const js = tempTree({ 'nrepl.config.js': 'module.exports = { servers: { dev: { serverDaemon: false } } };' });
    expect(holdReason(env(), js)).toBe(join(js, 'nrepl.config.js'));
    const userHome = tempTree({ '.nrepl/nrepl.edn': '{:server-daemon false}' });
    expect(holdReason({ HOME: userHome }, tempTree())).toBe(join(userHome, '.nrepl/nrepl.edn'));
  });

  it('reads only the rc file the loader would use (the first one found)', () => {
    const cwd = tempTree({ '.nreplrc.json': '{"port": 0}', 'nrepl.config.js': 'module.exports = { serverDaemon: false };' });
    expect(holdReason(env(), cwd)).toBeUndefined();
  });
});
