import { describe, expect, it } from 'vitest';
import { DEFAULT_WORKER_HEAP_MB, MIN_WORKER_HEAP_MB, maxValueChars, oldGenerationLimitMb, workerHeapMb } from '../../src/main/worker-limits';

describe('workerHeapMb', () => {
  it('defaults to the host heap, at least DEFAULT_WORKER_HEAP_MB, when NREPL_WORKER_HEAP_MB is unset or blank', () => {
    expect(workerHeapMb({}, 4096)).toEqual({ mb: 4096 });
    expect(workerHeapMb({}, 128)).toEqual({ mb: DEFAULT_WORKER_HEAP_MB });
    expect(workerHeapMb({ NREPL_WORKER_HEAP_MB: '  ' }, 2048)).toEqual({ mb: 2048 });
  });

  it('takes a whole number of megabytes from the minimum up', () => {
    expect(workerHeapMb({ NREPL_WORKER_HEAP_MB: '512' }, 4096)).toEqual({ mb: 512 });
    expect(workerHeapMb({ NREPL_WORKER_HEAP_MB: ` ${MIN_WORKER_HEAP_MB} ` }, 4096)).toEqual({ mb: MIN_WORKER_HEAP_MB });
  });

  it.each(['abc', '1.5', '-64', '0x40', String(MIN_WORKER_HEAP_MB - 1), '1e3'])('names the variable, the value and the fallback for %j', (raw) => {
    const result = workerHeapMb({ NREPL_WORKER_HEAP_MB: raw }, 1024);
    expect(result.mb).toBe(1024);
    expect(result.problem).toBe(
      `NREPL_WORKER_HEAP_MB: expected a whole number of megabytes, at least ${MIN_WORKER_HEAP_MB}, got ${JSON.stringify(raw)}; using 1024 (fix or unset the variable)`,
    );
  });
});

describe('oldGenerationLimitMb', () => {
  const MB = 1024 * 1024;
  it('takes the young-generation reserve off heap_size_limit', () => {
    expect(oldGenerationLimitMb(304 * MB)).toBe(256);
    expect(oldGenerationLimitMb(4144 * MB)).toBe(4096);
  });

  it('keeps at least half of a tiny limit', () => {
    expect(oldGenerationLimitMb(60 * MB)).toBe(30);
  });
});

describe('maxValueChars', () => {
  it('is a sixteenth of the heap, in characters', () => {
    expect(maxValueChars(256)).toBe(16 * 1024 * 1024);
    expect(maxValueChars(32)).toBe(2 * 1024 * 1024);
  });
});
