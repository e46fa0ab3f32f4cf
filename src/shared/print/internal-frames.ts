/**
 * Removes the agent's own stack frames from printed errors: the frames of
 * the agent's files (evaluate.js, worker-calls.js, worker-link.js, …) and
 * everything below the `vm` call that ran the user's code (node:vm,
 * node:repl, node:domain, the async_hooks run that routes output), which are
 * how the agent called the code and never the user's. The user's frames, and
 * those of the app and of Node that the user's code called, stay.
 *
 * Works on text (an `err.stack`, or util.inspect output that holds stacks),
 * line by line; lines that are not `    at …` frames are never touched.
 * Pure; never throws.
 */
import { resolve, sep } from 'node:path';

/** The agent's compiled (dist/) or source (src/) folder. */
const AGENT_ROOT = resolve(__dirname, '..', '..') + sep;
const FRAME = /^\s+at /;
/** The frame through which the agent ran the user's code: every frame after it in that stack is the agent's. */
const ENTRY = /^\s+at (?:(?:Script|ContextifyScript|Object)\.runInThisContext|.*\(node:vm:|node:vm:)/;
const NODE_INTERNAL = /\((?:node:repl|node:domain|node:internal\/vm)[:)]|^\s+at (?:node:repl|node:domain|node:internal\/vm):/;

/** `text` without the agent's frames; the same string when it has none. */
export function stripInternalFrames(text: string): string {
  try {
    if (!text.includes('    at ')) return text;
    const lines = text.split('\n');
    const kept: string[] = [];
    let below = false;
    for (const line of lines) {
      if (!FRAME.test(line)) {
        below = false;
        kept.push(line);
        continue;
      }
      if (ENTRY.test(line)) below = true;
      if (below || line.includes(AGENT_ROOT) || NODE_INTERNAL.test(line)) continue;
      kept.push(line);
    }
    return kept.length === lines.length ? text : kept.join('\n');
  } catch {
    return text;
  }
}
