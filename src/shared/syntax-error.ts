/**
 * The `err` text for code the worker's parser rejects, in the one shape every
 * syntax error has, the shape V8 gives on the main thread:
 *
 *     Uncaught /app/[nrepl-eval]:1
 *     foo bar
 *         ^^^
 *
 *     SyntaxError: Unexpected identifier 'bar'
 *
 * The worker compiles the code with V8 itself (vm.Script, never run, in the
 * worker's own isolate: nothing happens on the host's main thread) so the
 * message and caret are V8's; code with top-level await is compiled inside an
 * async function, as the main thread would run it. When V8 accepts what the
 * worker's parser refused, the parser's message is put in the same shape.
 * Only the user's code shows: no frame of the agent's. Never throws.
 */
import * as vm from 'node:vm';
import { scriptPath } from './script-path';

/** Where the code sits, as the eval request says. */
export interface CodePlace {
  file?: string;
  ns?: string;
  /** 1-based line and column of the code in `file`. */
  line?: number;
  column?: number;
}

/** What the worker's parser reported: message and 1-based line/column within the code. */
export interface ParserError {
  message: string;
  line: number;
  column: number;
  /** The message explains what to write instead: it is kept, in the same shape, rather than V8's. */
  explained?: boolean;
}

// On a line of its own, so the source line V8 shows is the user's.
const ASYNC_OPEN = '(async () => {\n';

/** `Uncaught <file>:<line>\n<source line>\n<caret>\n\nSyntaxError: <message>\n`. */
export function syntaxErrorText(code: string, parsed: ParserError, place: CodePlace = {}): string {
  let filename = '[nrepl-eval]';
  try {
    filename = scriptPath(place).filename;
    if (parsed.explained) return `Uncaught ${parserText(code, parsed, filename, place)}\n`;
    const fromV8 = v8Text(code, filename, place);
    if (fromV8 !== undefined) return `Uncaught ${fromV8}\n`;
  } catch {
    // Fall through to the parser's message.
  }
  return `Uncaught ${parserText(code, parsed, filename, place)}\n`;
}

function v8Text(code: string, filename: string, place: CodePlace): string | undefined {
  const lineOffset = place.line ? place.line - 1 : 0;
  const columnOffset = place.column ? place.column - 1 : 0;
  const attempt = (source: string, lineShift: number): string | undefined => {
    try {
      new vm.Script(source, { filename, lineOffset: lineOffset - lineShift, columnOffset: lineShift ? 0 : columnOffset });
      return undefined;
    } catch (err) {
      if (!(err instanceof SyntaxError) || typeof err.stack !== 'string') return undefined;
      const at = err.stack.search(/\n\s+at /);
      return at < 0 ? err.stack : err.stack.slice(0, at);
    }
  };
  const plain = attempt(code, 0);
  if (plain === undefined || !/\bawait\b/.test(code)) return plain;
  // Top-level await: the main thread runs such code in an async function; judge it the same way.
  return attempt(`${ASYNC_OPEN}${code}\n})`, 1) ?? plain;
}

function parserText(code: string, parsed: ParserError, filename: string, place: CodePlace): string {
  const line = Math.max(1, Math.floor(Number(parsed.line)) || 1);
  const column = Math.max(1, Math.floor(Number(parsed.column)) || 1);
  const source = code.split(/\r\n|[\n\r\u2028\u2029]/)[line - 1] ?? '';
  const shownLine = line + (place.line ? place.line - 1 : 0);
  const message = String(parsed.message).replace(/\s*\(\d+:\d+\)$/, '');
  return `${filename}:${shownLine}\n${source}\n${' '.repeat(Math.min(column - 1, source.length))}^\n\nSyntaxError: ${message}`;
}
