import { describe, expect, it } from 'vitest';
import { decideStart, isOwnPreload, preloadOnCommandLine, type OwnPreload } from '../../src/main/process-rule';

// A fake file system: /opt/nrepl-ts holds the package; /work/app/node_modules/nrepl-ts links to it.
const REAL: Record<string, string> = {
  '/opt/nrepl-ts/register.js': '/opt/nrepl-ts/register.js',
  '/opt/nrepl-ts/dist/register.js': '/opt/nrepl-ts/dist/register.js',
  '/work/app/node_modules/nrepl-ts/register.js': '/opt/nrepl-ts/register.js',
  '/work/app/node_modules/ts-node/register.js': '/work/app/node_modules/ts-node/register.js',
  '/work/app/register.js': '/work/app/register.js',
};
const own: OwnPreload = {
  files: () => ['/opt/nrepl-ts/register.js', '/opt/nrepl-ts/dist/register.js'],
  cwd: '/work/app',
  realpath: (p) => {
    if (!(p in REAL)) throw new Error(`ENOENT: ${p}`);
    return REAL[p];
  },
};

const script = (path: string | undefined) => () => path;
const base = { isMainThread: true, env: {}, execArgv: [] as string[], entryScript: script('/srv/app/server.js'), ownPreload: own };

describe('decideStart', () => {
  it('starts when the preload is on the command line, whatever the script', () => {
    const d = decideStart({ ...base, execArgv: ['--import', 'nrepl-ts/register'], entryScript: script('/x/node_modules/y/cli.js') });
    expect(d).toMatchObject({ start: true, via: 'command-line' });
  });

  it('recognises --require=path and -r forms', () => {
    expect(preloadOnCommandLine(['--require=/opt/nrepl-ts/register.js'], own)).toBe(true);
    expect(preloadOnCommandLine(['-r', 'nrepl-ts/register'], own)).toBe(true);
    expect(preloadOnCommandLine(['--import', 'tsx'], own)).toBe(false);
  });

  it('does not count another package\'s register.js as the agent on the command line', () => {
    for (const other of ['ts-node/register', '@babel/register', 'register', 'register.js', './node_modules/ts-node/register.js', '/work/app/register.js', './register.js']) {
      expect(isOwnPreload(other, own), other).toBe(false);
      expect(preloadOnCommandLine(['-r', other], own), other).toBe(false);
    }
    const d = decideStart({ ...base, execArgv: ['-r', 'ts-node/register'], entryScript: script('/work/app/node_modules/.bin/tool.js') });
    expect(d).toMatchObject({ start: false, via: 'NODE_OPTIONS' });
  });

  it('counts paths and file: URLs that resolve to this package\'s register.js, through symlinks', () => {
    for (const ours of [
      '/opt/nrepl-ts/register.js',
      '/opt/nrepl-ts/register',
      '/opt/nrepl-ts/dist/register.js',
      './node_modules/nrepl-ts/register.js',
      './node_modules/../node_modules/nrepl-ts/register.js',
      '../../opt/nrepl-ts/register.js',
      'file:///opt/nrepl-ts/register.js',
    ]) {
      expect(isOwnPreload(ours, own), ours).toBe(true);
    }
    expect(isOwnPreload('file://not-a-local-host/x', own)).toBe(false);
    expect(isOwnPreload('./missing/register.js', own)).toBe(false);
  });

  it('never starts in worker threads or with NREPL_DISABLE', () => {
    expect(decideStart({ ...base, isMainThread: false }).start).toBe(false);
    expect(decideStart({ ...base, env: { NREPL_DISABLE: '1' } }).start).toBe(false);
    expect(decideStart({ ...base, env: { NREPL_DISABLE: '0' } }).start).toBe(true);
  });

  it('through NODE_OPTIONS, skips entry scripts inside node_modules (npm, tsc...)', () => {
    const npm = decideStart({ ...base, entryScript: script('/usr/lib/node_modules/npm/bin/npm-cli.js') });
    expect(npm).toMatchObject({ start: false, via: 'NODE_OPTIONS' });
    expect(npm.reason).toContain('NREPL_SKIP_PATTERN');
    expect(decideStart(base).start).toBe(true);
  });

  it('lets NREPL_SKIP_PATTERN override the rule, empty meaning never skip', () => {
    expect(decideStart({ ...base, env: { NREPL_SKIP_PATTERN: 'server\\.js$' } }).start).toBe(false);
    expect(decideStart({ ...base, entryScript: script('/a/node_modules/b.js'), env: { NREPL_SKIP_PATTERN: '' } }).start).toBe(true);
  });

  it('refuses to start on an invalid pattern and says why', () => {
    const d = decideStart({ ...base, env: { NREPL_SKIP_PATTERN: '(' } });
    expect(d.start).toBe(false);
    expect(d.reason).toMatch(/not a valid regular expression/);
  });

  it('starts for node -e and the REPL (no entry script) under NODE_OPTIONS', () => {
    expect(decideStart({ ...base, entryScript: script(undefined) }).start).toBe(true);
  });
});
