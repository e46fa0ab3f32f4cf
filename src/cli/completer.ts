/**
 * Tab completion for `nrepl-ts connect`: a node:readline completer that asks
 * the server's `completions` op. Our server gets the whole line before the
 * cursor, so it knows the context (`require('exp` completes module names,
 * `'abc'.toUpp` a string's methods) and answers full replacement texts, which
 * are cut back to the last word for readline; other servers get the word
 * before the cursor (input.ts finds it). Candidates that do not extend the
 * word are dropped, since readline can only append; failures and slow
 * servers complete nothing.
 */
import { mergeResponses, type NreplClient } from '../client/client';
import { wordBeforeCursor, type Dialect } from './input';

/** How long Tab waits for the server. */
const COMPLETION_TIMEOUT_MS = 3_000;

/** What the completer needs to know, read at each Tab. */
export interface CompleterContext {
  client: NreplClient;
  session: string;
  dialect: Dialect;
  ns: () => string;
  /** True while an eval runs: the server is busy, so Tab completes nothing. */
  busy: () => boolean;
  /** The server completes whole lines (ours): send the line, not the word. */
  lineContext?: boolean;
}

const LAST_WORD = /[\p{ID_Continue}$\u200c\u200d#]*$/u;

/** Candidate strings from a `completions` list (`[{candidate, type}]`, or plain strings from older servers). */
export function candidateNames(list: unknown, word: string): string[] {
  const names = (Array.isArray(list) ? list : []).map((c: unknown) => (c && typeof c === 'object' && !Buffer.isBuffer(c) ? (c as { candidate?: unknown }).candidate : c));
  return [...new Set(names.filter((n): n is string => typeof n === 'string' && n.startsWith(word)))];
}

/** A readline completer backed by the server. */
export function serverCompleter(ctx: CompleterContext): (line: string, callback: (err: null, result: [string[], string]) => void) => void {
  return (line, callback) => {
    if (ctx.lineContext && ctx.dialect === 'js') return lineCompletion(ctx, line, callback);
    const word = wordBeforeCursor(line, ctx.dialect);
    if (!word || ctx.busy()) return callback(null, [[], word]);
    ctx.client
      .request({ op: 'completions', prefix: word, session: ctx.session, ns: ctx.ns() }, { timeoutMs: COMPLETION_TIMEOUT_MS })
      .then(
        (responses) => callback(null, [candidateNames(mergeResponses(responses).completions, word), word]),
        () => callback(null, [[], word]),
      );
  };
}

function lineCompletion(ctx: CompleterContext, line: string, callback: (err: null, result: [string[], string]) => void): void {
  const word = LAST_WORD.exec(line)?.[0] ?? '';
  if (line.trim() === '' || ctx.busy()) return callback(null, [[], word]);
  const head = line.slice(0, line.length - word.length);
  ctx.client
    .request({ op: 'completions', prefix: line, session: ctx.session, ns: ctx.ns() }, { timeoutMs: COMPLETION_TIMEOUT_MS })
    .then(
      (responses) => {
        const full = candidateNames(mergeResponses(responses).completions, line);
        callback(null, [[...new Set(full.filter((c) => c.startsWith(head)).map((c) => c.slice(head.length)))], word]);
      },
      () => callback(null, [[], word]),
    );
}
