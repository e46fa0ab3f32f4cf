import { describe, expect, it } from 'vitest';
import { decideStart, preloadOnCommandLine } from '../../src/agent/process-rule';

const script = (path: string | undefined) => () => path;
const base = { isMainThread: true, env: {}, execArgv: [] as string[], entryScript: script('/srv/app/server.js') };

describe('decideStart', () => {
  it('starts when the preload is on the command line, whatever the script', () => {
    const d = decideStart({ ...base, execArgv: ['--import', 'nrepl-ts/register'], entryScript: script('/x/node_modules/y/cli.js') });
    expect(d).toMatchObject({ start: true, via: 'command-line' });
  });

  it('recognises --require=path and -r forms', () => {
    expect(preloadOnCommandLine(['--require=/repo/register.js'])).toBe(true);
    expect(preloadOnCommandLine(['-r', 'nrepl-ts/register'])).toBe(true);
    expect(preloadOnCommandLine(['--import', 'tsx'])).toBe(false);
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
