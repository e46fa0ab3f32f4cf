/**
 * What a function's source says, for lookup.ts: its parameter list as
 * written, where V8 compiled it, and the doc comment above it in its file.
 *
 * Parameter lists come from tokenizing `Function.prototype.toString` with
 * acorn, never from parsing or running the body; built-ins (`[native code]`)
 * get `(arg0, arg1...)` from their `length`. Locations come from an
 * in-process `node:inspector` session connected for one call only and always
 * disconnected; positions are those V8 compiled, so code transpiled on load
 * (tsx, ts-node) reports generated positions. Nothing here throws.
 */
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Session } from 'node:inspector';
import { tokenizer, tokTypes as tt, type Token } from 'acorn';
import { debug } from '../../log';
import { isProxy, ownDescriptor } from './resolve-path';

/** Files larger than this are not read for doc comments. */
const MAX_SOURCE_FILE = 8 * 1024 * 1024;
/** Longest doc sentence. */
const DOC_MAX = 200;
const CONSTRUCTOR = /^(['"]?)constructor\1$/;
const NATIVE = /\{\s*\[native code\]\s*\}\s*$/;

/** The parameter list of `fn` as written, `(arg0, arg1)` for built-ins, or `undefined` for a Proxy. */
export function parameters(fn: Function, depth = 0): string | undefined {
  if (isProxy(fn)) return undefined;
  let src: string;
  try {
    src = Function.prototype.toString.call(fn);
  } catch {
    return undefined;
  }
  if (!NATIVE.test(src)) {
    try {
      if (!/^class\b/.test(src)) {
        const params = functionParams(src);
        if (params !== null) return params;
      } else {
        const params = constructorParams(src);
        if (params !== null) return params;
        // A class without a constructor takes what its parent takes.
        const parent = Object.getPrototypeOf(fn) as unknown;
        if (typeof parent === 'function' && parent !== Function.prototype && depth < 20) return parameters(parent, depth + 1);
        return '()';
      }
    } catch {
      // A syntax acorn does not know: fall back to the length below.
    }
  }
  const length = ownDescriptor(fn, 'length')?.value as unknown;
  const n = typeof length === 'number' && Number.isInteger(length) && length > 0 ? Math.min(length, 20) : 0;
  return `(${Array.from({ length: n }, (_, i) => `arg${i}`).join(', ')})`;
}

const OPEN = new Set([tt.parenL, tt.bracketL, tt.braceL, tt.dollarBraceL]);
const CLOSE = new Set([tt.parenR, tt.bracketR, tt.braceR]);

/** Tokens of `src` (lazily: a long body is never read past the parameters), tracking bracket depth. */
function* scan(src: string): Generator<{ token: Token; depth: number }> {
  let depth = 0;
  for (const token of tokenizer(src, { ecmaVersion: 'latest' })) {
    if (token.type === tt.eof) return;
    if (CLOSE.has(token.type)) depth--;
    yield { token, depth };
    if (OPEN.has(token.type)) depth++;
  }
}

/** Params of a function, arrow or method source: the first `(...)` outside brackets, or `x` in `x => ...`. */
function functionParams(src: string): string | null {
  const iter = scan(src);
  let before: Token | undefined;
  for (let next = iter.next(); !next.done; next = iter.next()) {
    const { token, depth } = next.value;
    if (depth === 0 && token.type === tt.arrow) return before ? `(${src.slice(before.start, before.end)})` : null;
    if (depth === 0 && token.type === tt.parenL) return paramList(src, iter, 0);
    before = token;
  }
  return null;
}

/** Params of a class's `constructor(...)`, or `null` when the class has none. */
function constructorParams(src: string): string | null {
  const iter = scan(src);
  let prev: Token | undefined;
  let candidate = false;
  const text = (t: Token) => src.slice(t.start, t.end);
  for (let next = iter.next(); !next.done; next = iter.next()) {
    const { token, depth } = next.value;
    if (candidate && token.type === tt.parenL) return paramList(src, iter, depth);
    // `constructor` directly in the class body, not `x.constructor`, `x = constructor` or `static constructor`.
    candidate =
      depth === 1 &&
      (token.type === tt.name || token.type === tt.string) &&
      CONSTRUCTOR.test(text(token)) &&
      !(prev && (prev.type === tt.dot || prev.type === tt.questionDot || prev.type === tt.eq || text(prev) === 'static'));
    prev = token;
  }
  return null;
}

/** Reads tokens after a `(` up to its `)`, giving `(a, b = 1, ...rest)` with whitespace collapsed. */
function paramList(src: string, iter: Iterator<{ token: Token; depth: number }>, parenDepth: number): string {
  const parts: string[] = [];
  let start = -1;
  let end = -1;
  for (let next = iter.next(); !next.done; next = iter.next()) {
    const { token, depth } = next.value;
    if (depth === parenDepth || (depth === parenDepth + 1 && token.type === tt.comma)) {
      if (start >= 0) parts.push(shorten(src.slice(start, end)));
      start = -1;
      if (token.type !== tt.comma) break;
      continue;
    }
    if (start < 0) start = token.start;
    end = token.end;
  }
  return `(${parts.join(', ')})`;
}

function shorten(param: string): string {
  const text = param.replace(/\s+/g, ' ');
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

/** Where V8 says a function is: its script URL and 1-based position (the parameter list, for most functions). */
export interface Location {
  url: string;
  line: number;
  column: number;
}

const scriptUrls = new Map<string, string>();

function post<T>(session: Session, method: string, params: object = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    session.post(method, params, (err: Error | null, result?: object) => (err ? reject(err) : resolve(result as T)));
  });
}

interface RemoteProperty {
  name: string;
  value?: { objectId?: string; value?: { scriptId?: string; lineNumber?: number; columnNumber?: number } };
}

/**
 * Asks V8 for `[[FunctionLocation]]` through a session connected for this
 * call only. The function is reached by reading a temporary non-enumerable
 * global (never by evaluating user text); the scriptId→URL map comes from
 * `Debugger.scriptParsed` events while Debugger is briefly enabled, cached.
 */
export function functionLocation(fn: Function): Promise<Location | undefined> {
  // One at a time: the stash slot is shared.
  const run = lookupQueue.then(() => locate(fn));
  lookupQueue = run.catch(() => undefined);
  return run;
}

/**
 * The one slot a function is stashed in while the inspector reads it. A
 * constant expression matters: V8's inspector keeps every distinct script it
 * compiles, so a new expression per lookup would leak a script each time.
 */
const STASH = '__nrepl_ts_lookup_function';
// A property read only: `throwOnSideEffect` refuses even Symbol.for (it may register a symbol).
const STASH_EXPRESSION = `globalThis.${STASH}`;
let lookupQueue: Promise<unknown> = Promise.resolve();

async function locate(fn: Function): Promise<Location | undefined> {
  let session: Session | undefined;
  const key = STASH;
  let stashed = false;
  try {
    // Loaded here, not imported: a Node built without the inspector throws on load.
    const inspector = process.getBuiltinModule('node:inspector');
    session = new inspector.Session();
    session.connect();
    Object.defineProperty(globalThis, key, { value: fn, configurable: true, enumerable: false, writable: false });
    stashed = true;
    const evaluated = await post<{ result?: { objectId?: string } }>(session, 'Runtime.evaluate', {
      expression: STASH_EXPRESSION, throwOnSideEffect: true, silent: true,
    });
    let objectId = evaluated.result?.objectId;
    // A bound function has no location of its own: use its target's.
    for (let hop = 0; objectId && hop < 2; hop++) {
      const props = await post<{ internalProperties?: RemoteProperty[] }>(session, 'Runtime.getProperties', { objectId, ownProperties: true });
      const internal = props.internalProperties ?? [];
      const at = internal.find((p) => p.name === '[[FunctionLocation]]')?.value?.value;
      if (at?.scriptId !== undefined && typeof at.lineNumber === 'number' && typeof at.columnNumber === 'number') {
        const url = await scriptUrl(session, at.scriptId);
        return url === undefined ? undefined : { url, line: at.lineNumber + 1, column: at.columnNumber + 1 };
      }
      objectId = internal.find((p) => p.name === '[[TargetFunction]]')?.value?.objectId;
    }
    return undefined;
  } catch (err) {
    debug(`lookup: no source location: ${err instanceof Error ? err.message : 'non-error'}`);
    return undefined;
  } finally {
    if (stashed) Reflect.deleteProperty(globalThis, key);
    try {
      session?.disconnect();
    } catch {
      // Already disconnected.
    }
  }
}

function scriptUrl(session: Session, scriptId: string): Promise<string | undefined> {
  if (scriptUrls.has(scriptId)) return Promise.resolve(scriptUrls.get(scriptId));
  const onParsed = (m: { params: { scriptId: string; url: string } }) => scriptUrls.set(m.params.scriptId, m.params.url);
  session.on('Debugger.scriptParsed', onParsed);
  return new Promise((resolve, reject) => {
    const finish = (err: Error | null) => {
      session.off('Debugger.scriptParsed', onParsed);
      if (err) reject(err);
      else resolve(scriptUrls.get(scriptId));
    };
    try {
      // Enabling reports every script. Disable right behind it, so that no JavaScript (a pending
      // `debugger` statement, say) ever runs while this session has the debugger on.
      session.post('Debugger.enable', {}, () => undefined);
      session.post('Debugger.disable', {}, finish);
    } catch (err) {
      finish(err instanceof Error ? err : new Error('Debugger.enable failed'));
    }
  });
}

/** Where a definition starts (1-based) and its doc comment's first sentence. */
export interface Definition {
  file?: string;
  line?: number;
  column?: number;
  doc?: string;
}

/**
 * Turns a V8 location into file/line/column of the definition's start and
 * finds its doc comment. Node's own scripts (`node:` URLs) and scripts
 * without a name give nothing.
 */
export async function definition(fn: Function, at: Location): Promise<Definition> {
  if (at.url === '' || at.url.startsWith('node:')) return {};
  let file = at.url;
  if (file.startsWith('file:')) {
    try {
      file = fileURLToPath(file);
    } catch {
      return {};
    }
  }
  const place: Definition = { file, line: at.line, column: at.column };
  if (!isAbsolute(file)) return place;
  try {
    if ((await stat(file)).size > MAX_SOURCE_FILE) return place;
    const text = await readFile(file, 'utf8');
    const lineStarts = [0];
    for (const m of text.matchAll(/\r\n|[\n\r\u2028\u2029]/g)) lineStarts.push((m.index as number) + m[0].length);
    const offset = (lineStarts[at.line - 1] ?? text.length) + at.column - 1;
    // V8 points at the parameters (or a class's constructor); the definition starts where its source does.
    const src = Function.prototype.toString.call(fn);
    const found = text.lastIndexOf(src.slice(0, 200), offset);
    const start = found >= 0 && offset - found <= src.length ? found : offset;
    let line = 0;
    while (line + 1 < lineStarts.length && (lineStarts[line + 1] as number) <= start) line++;
    place.line = line + 1;
    place.column = start - (lineStarts[line] as number) + 1;
    const doc = docComment(text, start);
    if (doc) place.doc = doc;
  } catch {
    // Unreadable or changed file: the location V8 gave is all we have.
  }
  return place;
}

const DECLARATION_HEAD = /[\p{ID_Continue}$.:=\t ]/u;

/** The first sentence of a `/** ... *\/` comment right before `start`, skipping `export const x = ` and the like. */
export function docComment(text: string, start: number): string | undefined {
  let i = start;
  while (i > 0 && DECLARATION_HEAD.test(text[i - 1] as string)) i--;
  while (i > 0 && /\s/.test(text[i - 1] as string)) i--;
  if (!text.startsWith('*/', i - 2)) return undefined;
  const open = text.lastIndexOf('/*', i - 3);
  if (open < 0 || !text.startsWith('/**', open)) return undefined;
  const lines = text.slice(open + 3, i - 2).split(/\r?\n/).map((l) => l.replace(/^\s*\*?\s?/, ''));
  const tag = lines.findIndex((l) => l.startsWith('@'));
  const prose = (tag < 0 ? lines : lines.slice(0, tag)).join(' ')
    .replace(/\{@\w+\s+([^}|\s]+)(?:[|\s]+([^}]*))?\}/g, (_, target: string, label?: string) => label || target)
    .replace(/\s+/g, ' ')
    .trim();
  const sentence = /^.+?[.!?](?=\s|$)/.exec(prose)?.[0] ?? prose;
  if (sentence === '') return undefined;
  return sentence.length > DOC_MAX ? `${sentence.slice(0, DOC_MAX - 1)}…` : sentence;
}
