import { describe, expect, it } from 'vitest';
import { parseStack, readErrorData, throwableData } from '../../src/shared/print/throwable';

const STACK = [
  "TypeError: Cannot read properties of null (reading 'x')",
  '    at Foo.bar (/app/lib/foo.js:10:5)',
  '    at helper (/app/lib/util.js:3:1)',
  '    at new Thing (/app/thing.js:7:9)',
  '    at async Promise.all (index 0)',
  '    at Object.<anonymous> (/app/[nrepl-eval]:1:7)',
  '    at /app/[nrepl-eval]:2:3',
  '    at Array.map (<anonymous>)',
  '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
].join('\n');

describe('parseStack', () => {
  it('turns V8 frames into [receiver function file line], like StackTraceElement->vec', () => {
    expect(parseStack(STACK)).toEqual([
      ['Foo', 'bar', '/app/lib/foo.js', 10],
      ['', 'helper', '/app/lib/util.js', 3],
      ['', 'Thing', '/app/thing.js', 7],
      ['Promise', 'all', 'index 0', -1],
      ['Object', '<anonymous>', '/app/[nrepl-eval]', 1],
      ['', '<anonymous>', '/app/[nrepl-eval]', 2],
      ['Array', 'map', '<anonymous>', -1],
      ['process', 'processTicksAndRejections', 'node:internal/process/task_queues', 95],
    ]);
  });

  it('no stack, no frames', () => {
    expect(parseStack(undefined)).toEqual([]);
    expect(parseStack('Error: no frames')).toEqual([]);
  });
});

describe('throwableData', () => {
  it('is Throwable->map: via (error then causes), trace, cause (innermost message), phase', () => {
    const data = throwableData(
      { ex: 'TypeError', message: 'outer', stack: STACK, causes: [{ ex: 'Error', message: 'middle' }, { ex: 'RangeError', message: 'inner' }] },
      'execution',
    );
    expect(data.via).toEqual([
      { type: 'TypeError', message: 'outer', at: ['Foo', 'bar', '/app/lib/foo.js', 10] },
      { type: 'Error', message: 'middle' },
      { type: 'RangeError', message: 'inner' },
    ]);
    expect(data.trace).toHaveLength(8);
    expect(data.cause).toBe('inner');
    expect(data.phase).toBe('execution');
    expect(Object.keys(data)).toEqual(['via', 'trace', 'cause', 'phase']);
  });

  it('an empty message is left out, as Clojure leaves out a null one', () => {
    const data = throwableData({ ex: 'Thrown', message: '', causes: [] });
    expect(data).toEqual({ via: [{ type: 'Thrown' }], trace: [] });
  });
});

describe('readErrorData', () => {
  it('is a read-source exception with the position as clojure.main/ex-triage reads it', () => {
    expect(readErrorData({ name: 'SyntaxError', message: 'Unexpected token', line: 2, column: 5 })).toEqual({
      via: [{ type: 'SyntaxError', message: 'Unexpected token (2:5)', data: { 'clojure.error/line': 2, 'clojure.error/column': 5 } }],
      trace: [],
      cause: 'Unexpected token (2:5)',
      phase: 'read-source',
    });
  });
});
