// history.ts: the connect history file, oldest entry first, owner-only.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HISTORY_SIZE, historyPath, loadHistory, saveHistory } from '../../src/cli/history';
import { tempDir } from '../helpers/agent';

describe('history', () => {
  it('lives in ~/.nrepl-ts_history unless NREPL_TS_HISTORY says otherwise (empty: none)', () => {
    expect(historyPath({}, () => '/home/u')).toBe('/home/u/.nrepl-ts_history');
    expect(historyPath({ NREPL_TS_HISTORY: '/x/h' })).toBe('/x/h');
    expect(historyPath({ NREPL_TS_HISTORY: '' })).toBeUndefined();
  });

  it('round-trips newest-first arrays through an oldest-first file, mode 0600, capped', () => {
    const file = join(tempDir(), 'h');
    saveHistory(file, ['3', '2', '1']);
    expect(readFileSync(file, 'utf8')).toBe('1\n2\n3\n');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadHistory(file)).toEqual(['3', '2', '1']);
    writeFileSync(file, Array.from({ length: HISTORY_SIZE + 5 }, (_, i) => `e${i}`).join('\n'));
    const loaded = loadHistory(file);
    expect(loaded).toHaveLength(HISTORY_SIZE);
    expect(loaded[0]).toBe(`e${HISTORY_SIZE + 4}`);
  });

  it('treats a missing file as empty', () => {
    expect(loadHistory(join(tempDir(), 'none'))).toEqual([]);
    expect(loadHistory(undefined)).toEqual([]);
  });
});
