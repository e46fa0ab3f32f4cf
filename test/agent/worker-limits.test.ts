import { describe, expect, it } from 'vitest';
import { DEFAULT_WORKER_HEAP_MB, MIN_WORKER_HEAP_MB, maxValueChars, workerHeapMb } from '../../src/agent/worker-limits';

describe('workerHeapMb', () => {
  it('defaults when NREPL_WORKER_HEAP_MB is unset or blank', () => {
    expect(workerHeapMb({})).toEqual({ mb: DEFAULT_WORKER_HEAP_MB });
    expect(workerHeapMb({ NREPL_WORKER_HEAP_MB: '  ' })).toEqual({ mb: DEFAULT_WORKER_HEAP_MB });
  });

  it('takes a whole number of megabytes from the minimum up', () => {
    expect(workerHeapMb({ NREPL_WORKER_HEAP_MB: '512' })).toEqual({ mb: 512 });
    expect(workerHeapMb({ NREPL_WORKER_HEAP_MB: ` ${MIN_WORKER_HEAP_MB} ` })).toEqual({ mb: MIN_WORKER_HEAP_MB });
  });

  it.each(['abc', '1.5', '-64', '0x40', String(MIN_WORKER_HEAP_MB - 1), '1e3'])('names the variable, the value and the fallback for %j', (raw) => {
    const result = workerHeapMb({ NREPL_WORKER_HEAP_MB: raw });
    expect(result.mb).toBe(DEFAULT_WORKER_HEAP_MB);
    expect(result.problem).toBe(
      `NREPL_WORKER_HEAP_MB: expected a whole number of megabytes, at least ${MIN_WORKER_HEAP_MB}, got ${JSON.stringify(raw)}; using ${DEFAULT_WORKER_HEAP_MB} (fix or unset the variable)`,
    );
  });
});

describe('maxValueChars', () => {
  it('is a sixteenth of the heap, in characters', () => {
    expect(maxValueChars(256)).toBe(16 * 1024 * 1024);
    expect(maxValueChars(32)).toBe(2 * 1024 * 1024);
  });
});
