// Unit tests of server/port-file.ts: what counts as a port file, what blocks
// writing one, and the identity rule of removal.
import { mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileIdentity, isPortFileText, portFileObstacle, removeCleanupFile, writePortFile } from '../../src/worker/server/port-file';
import { tempDir } from '../helpers/agent';

describe('isPortFileText', () => {
  it.each(['1', '7888', '65535', '7888\n', '7888\r\n'])('takes %j', (text) => expect(isPortFileText(text)).toBe(true));
  it.each(['', '\n', '123456', '78 88', 'port=7888', '{"port":7888}', '7888\n\n', '-1'])('refuses %j', (text) =>
    expect(isPortFileText(text)).toBe(false));
});

describe('portFileObstacle', () => {
  const dir = tempDir('nrepl-port-unit-');
  const at = (name: string) => join(dir, name);

  it('nothing there, or a port file: no obstacle', () => {
    expect(portFileObstacle(at('none'))).toBeUndefined();
    writeFileSync(at('port'), '41237');
    expect(portFileObstacle(at('port'))).toBeUndefined();
  });

  it('names why anything else is refused', () => {
    writeFileSync(at('package.json'), '{"name":"precious"}\n');
    expect(portFileObstacle(at('package.json'))).toBe('it is not a port file (20 bytes)');
    writeFileSync(at('short'), 'hello');
    expect(portFileObstacle(at('short'))).toBe('it is not a port file (it holds something other than a port number)');
    mkdirSync(at('dir'));
    expect(portFileObstacle(at('dir'))).toBe('it is a directory');
    symlinkSync(at('port'), at('link'));
    expect(portFileObstacle(at('link')), 'even a link to a port file').toBe('it is a symbolic link, not a port file');
  });
});

describe('writePortFile and removeCleanupFile', () => {
  it('refuses to overwrite a file that is not a port file, leaving it as it was', () => {
    const dir = tempDir('nrepl-port-unit-');
    writeFileSync(join(dir, 'notes.txt'), 'my notes');
    expect(() => writePortFile(join(dir, 'notes.txt'), 4000)).toThrow(/refusing to overwrite .*notes\.txt: it is not a port file/);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('my notes');
  });

  it('removes the file it wrote, but not another file with the same contents at that path', () => {
    const dir = tempDir('nrepl-port-unit-');
    const path = join(dir, '.nrepl-port');
    const first = writePortFile(path, 4000);
    first.watchdog.release();
    expect(first.file.id).toBe(fileIdentity(path));
    writeFileSync(`${path}.new`, '4000');
    renameSync(`${path}.new`, path);
    expect(removeCleanupFile(first.file), 'same contents, other inode').toBe(false);
    expect(existsSync(path)).toBe(true);
    const second = writePortFile(path, 4001);
    second.watchdog.release();
    expect(removeCleanupFile(second.file)).toBe(true);
    expect(existsSync(path)).toBe(false);
  });
});
