import { describe, expect, it } from 'vitest';
import { disableSigusr1Flag, environValue, inspectorAddress, nodeFlags, splitNodeOptions, supportedNode } from '../../src/cli/attach-checks';
import { isNodeExecutable, parsePidList, descendsFrom } from '../../src/cli/processes';
import { acceptKey, encodeFrame, FrameDecoder, Opcodes } from '../../src/cli/websocket';
import { parseListening } from '../../src/cli/inspector';
import { formatUptime, formatServers } from '../../src/cli/ps';
import { parseProcStat, processDirPath } from '../../src/shared/process-dir';

describe('attach checks', () => {
  it('reads node flags only before the script', () => {
    expect(nodeFlags(['--inspect-port', '9300', '-r', 'x', 'app.js', '--disable-sigusr1'])).toEqual(['--inspect-port', '9300', '-r', 'x']);
    expect(disableSigusr1Flag(['app.js', '--disable-sigusr1'], undefined)).toBe(false);
    expect(disableSigusr1Flag(['--disable-sigusr1', 'app.js'], undefined)).toBe(true);
    expect(disableSigusr1Flag(['app.js'], '--max-old-space-size=100 --disable-sigusr1')).toBe(true);
  });
  it('finds the inspector address', () => {
    expect(inspectorAddress(['app.js'], undefined)).toEqual({ host: '127.0.0.1', port: 9229 });
    expect(inspectorAddress(['--inspect-port=9300', 'app.js'], undefined)).toEqual({ host: '127.0.0.1', port: 9300 });
    expect(inspectorAddress(['--inspect-port', '9301', 'app.js'], undefined)).toEqual({ host: '127.0.0.1', port: 9301 });
    expect(inspectorAddress(['--inspect=0.0.0.0:9302', 'app.js'], undefined)).toEqual({ host: '127.0.0.1', port: 9302 });
    expect(inspectorAddress(['app.js'], '--inspect-port=9303')).toEqual({ host: '127.0.0.1', port: 9303 });
    expect(inspectorAddress(['--inspect-port=9304', 'app.js'], '--inspect-port=9303').port).toBe(9304);
  });
  it('splits NODE_OPTIONS with quotes', () => {
    expect(splitNodeOptions('--require "a b.js"  --x')).toEqual(['--require', 'a b.js', '--x']);
  });
  it('knows the supported Node versions', () => {
    expect(['v20.19.0', 'v20.20.2', 'v22.12.0', 'v24.1.0'].map(supportedNode)).toEqual([true, true, true, true]);
    expect(['v18.20.0', 'v20.18.3', 'v21.7.0', 'v22.11.0', ''].map(supportedNode)).toEqual([false, false, false, false, false]);
  });
  it('reads environ and /proc/stat', () => {
    expect(environValue('A=1\0NODE_OPTIONS=--x=1\0', 'NODE_OPTIONS')).toBe('--x=1');
    expect(parseProcStat('12 (my (odd) name) S 1 12 12 0')?.slice(0, 2)).toEqual(['S', '1']);
    expect(isNodeExecutable('/usr/bin/node')).toBe(true);
    expect(isNodeExecutable('/usr/bin/node (deleted)')).toBe(true);
    expect(isNodeExecutable('/usr/bin/sleep')).toBe(false);
  });
  it('parses pid lists and ancestry', () => {
    expect(parsePidList('11, 12,13,12')).toEqual([11, 12, 13]);
    expect(parsePidList('11,x')).toBe('--pids: "x" is not a process id');
    const parents: Record<number, number> = { 30: 20, 20: 10, 10: 1 };
    expect(descendsFrom(30, 10, (p) => parents[p])).toBe(true);
    expect(descendsFrom(10, 20, (p) => parents[p])).toBe(false);
  });
  it('places the process folder', () => {
    expect(processDirPath({ XDG_RUNTIME_DIR: '/run/user/7' }, 7, '/tmp')).toBe('/run/user/7/nrepl-ts');
    expect(processDirPath({ XDG_RUNTIME_DIR: 'relative' }, 7, '/tmp')).toBe('/tmp/nrepl-ts-7');
    expect(processDirPath({}, 7, '/tmp')).toBe('/tmp/nrepl-ts-7');
  });
  it('formats ps columns', () => {
    expect([5_000, 125_000, 7_500_000].map(formatUptime)).toEqual(['5s', '2m05s', '2h05m']);
    expect(formatServers({ pid: 1, ppid: 0, argv: [], cwd: '/', started: '', node: '', servers: [{ name: 'nrepl-ts/pid', accept: 'nrepl-ts/nrepl', url: 'nrepl+unix:/x' }] })).toBe('-');
  });
});

describe('websocket framing', () => {
  it('masks client frames and decodes server frames split anywhere', () => {
    const mask = Buffer.from([1, 2, 3, 4]);
    const frame = encodeFrame(Opcodes.TEXT, Buffer.from('hi'), mask);
    expect(frame.toString('hex')).toBe('8182' + '01020304' + Buffer.from([0x68 ^ 1, 0x69 ^ 2]).toString('hex'));
    const long = Buffer.alloc(70_000, 0x61);
    const server = Buffer.concat([Buffer.from([0x81, 127]), Buffer.from('0000000000011170', 'hex'), long]);
    const decoder = new FrameDecoder();
    const out = [...decoder.push(server.subarray(0, 5)), ...decoder.push(server.subarray(5, 9000)), ...decoder.push(server.subarray(9000))];
    expect(out).toHaveLength(1);
    expect(out[0]!.payload.equals(long)).toBe(true);
    const fragments = Buffer.concat([Buffer.from([0x01, 1, 0x61]), Buffer.from([0x89, 0]), Buffer.from([0x80, 1, 0x62])]);
    expect(new FrameDecoder().push(fragments).map((m) => [m.opcode, m.payload.toString()])).toEqual([[9, ''], [1, 'ab']]);
  });
  it('computes the RFC 6455 accept key', () => {
    expect(acceptKey('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });
  it('reads listening sockets from /proc/net/tcp', () => {
    const text = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:2405 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0
   1: 0100007F:2405 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 4343 1 0000000000000000 100 0 0 10 0`;
    expect(parseListening(text)).toEqual([{ port: 9221, inode: 4242 }]);
  });
});
