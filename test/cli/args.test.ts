// args.ts: the pure option parser shared by every nrepl-ts command.
import { describe, expect, it } from 'vitest';
import { parseArgs, type CommandSpec } from '../../src/cli/args';

const SPEC: CommandSpec = {
  command: 'eval',
  options: [
    { name: 'port', short: 'p', type: 'string' },
    { name: 'json', short: 'j', type: 'flag' },
  ],
};
const RUN: CommandSpec = { ...SPEC, command: 'run', stopAtPositional: true };

function ok(argv: string[], spec = SPEC) {
  const result = parseArgs(argv, spec);
  if (!result.ok) throw new Error(result.error);
  return result.args;
}

describe('parseArgs', () => {
  it('reads --name value, --name=value, -n value, -nvalue and flags', () => {
    expect(ok(['--port', '7888', 'code']).options).toEqual({ port: '7888' });
    expect(ok(['--port=7888']).options).toEqual({ port: '7888' });
    expect(ok(['-p', '7888']).options).toEqual({ port: '7888' });
    expect(ok(['-p7888']).options).toEqual({ port: '7888' });
    expect(ok(['--json', '-j']).options).toEqual({ json: true });
    expect(ok(['-h']).options).toEqual({ help: true });
  });

  it('reads grouped short flags, and a string option last in the group takes the next argument', () => {
    expect(ok(['-jp', '7888']).options).toEqual({ json: true, port: '7888' });
    expect(parseArgs(['-jx'], SPEC)).toEqual({ ok: false, error: 'nrepl-ts eval: unknown option -x; see `nrepl-ts eval --help`' });
  });

  it('takes options anywhere, the last value winning, and keeps positionals in order', () => {
    expect(ok(['a', '--port', '1', 'b', '-p', '2'])).toEqual({ options: { port: '2' }, positionals: ['a', 'b'] });
  });

  it('treats - as a positional and everything after -- as positionals', () => {
    expect(ok(['-']).positionals).toEqual(['-']);
    expect(ok(['--', '-1', '--json']).positionals).toEqual(['-1', '--json']);
  });

  it('with stopAtPositional, leaves everything after the first positional alone', () => {
    expect(ok(['-p', '1', 'app.js', '--json', '-p', '2'], RUN)).toEqual({ options: { port: '1' }, positionals: ['app.js', '--json', '-p', '2'] });
  });

  it('names the problem and the help command in one line', () => {
    expect(parseArgs(['--prot', '1'], SPEC)).toEqual({ ok: false, error: 'nrepl-ts eval: unknown option --prot; see `nrepl-ts eval --help`' });
    expect(parseArgs(['-x'], SPEC)).toEqual({ ok: false, error: 'nrepl-ts eval: unknown option -x; see `nrepl-ts eval --help`' });
    expect(parseArgs(['--port'], SPEC)).toEqual({ ok: false, error: 'nrepl-ts eval: --port needs a value; see `nrepl-ts eval --help`' });
    expect(parseArgs(['--json=1'], SPEC)).toEqual({ ok: false, error: 'nrepl-ts eval: --json takes no value; see `nrepl-ts eval --help`' });
  });
});
