/**
 * Decides, per eval, whether its code is TypeScript (types stripped first,
 * typescript.ts) or JavaScript (run as typed). Pure functions plus the host
 * facts the worker receives at boot.
 *
 * The order, first match wins:
 * 1. the request's own key (nREPL `nrepl-ts/language`: "typescript" or "javascript");
 * 2. the server's args (`:typescript` or `:javascript`);
 * 3. the eval's `file`/`ns` (a `.ts`/`.mts`/`.cts` file means TypeScript);
 * 4. the host: TypeScript when the app itself runs TypeScript (tsx or
 *    ts-node preloaded, Node's type stripping on, or a `.ts` main script).
 * Otherwise JavaScript: in a plain-JavaScript app `a < b > (c)` stays a comparison.
 *
 * It does not strip anything (typescript.ts) and does not read requests or specs itself.
 */

/** TypeScript or JavaScript. */
export type Language = 'typescript' | 'javascript';

/** What the main thread tells the worker about how the host was started (channel.ts WorkerBoot.runtime). */
export interface HostRuntime {
  execArgv: readonly string[];
  nodeOptions?: string;
  /** process.argv[1]: the main script. */
  main?: string;
}

/** The request key that picks the language of one nREPL eval or load-file. */
export const LANGUAGE_KEY = 'nrepl-ts/language';

const TS_FILE = /\.[mc]?tsx?$/i;
/** Preloads and flags that make node run TypeScript: tsx (also what the `tsx` CLI passes), ts-node, Node's own stripping. */
const TS_RUNTIME = /(?:^|[\s=/\\'"])(?:tsx|ts-node|@swc-node\/register|@esbuild-kit)(?:[/\\@\s'"]|$)|--(?:experimental-)?(?:strip|transform)-types\b/;

/** True when the host program runs TypeScript itself. */
export function hostRunsTypeScript(runtime: HostRuntime | undefined): boolean {
  if (!runtime) return false;
  // Node >= 23.6 strips types by default, without a flag: a .ts main script is the sign.
  if (runtime.main && TS_FILE.test(runtime.main)) return true;
  return [...runtime.execArgv, runtime.nodeOptions ?? ''].some((arg) => TS_RUNTIME.test(arg));
}

/** A language named by a request key or server arg ("typescript", ":ts", "javascript", ...), or undefined. */
export function languageName(value: unknown): Language | undefined {
  if (typeof value !== 'string') return undefined;
  const name = value.replace(/^:/, '').toLowerCase();
  if (name === 'typescript' || name === 'ts') return 'typescript';
  if (name === 'javascript' || name === 'js') return 'javascript';
  return undefined;
}

/** The language a server's args ask for, or undefined. */
export function argsLanguage(args: readonly unknown[] | undefined): Language | undefined {
  let found: Language | undefined;
  for (const arg of args ?? []) found = languageName(arg) ?? found;
  return found;
}

/** Inputs of {@link chooseLanguage}. */
export interface LanguageInputs {
  /** The request's `nrepl-ts/language` value. */
  requested?: unknown;
  /** From the server's args. */
  server?: Language;
  /** The eval's file, or its ns when that is a path. */
  file?: string;
  ns?: string;
  runtime?: HostRuntime;
}

/** The language of one eval; see the module header for the order. */
export function chooseLanguage(inputs: LanguageInputs): Language {
  const requested = languageName(inputs.requested);
  if (requested) return requested;
  if (inputs.server) return inputs.server;
  for (const path of [inputs.file, inputs.ns]) if (path && TS_FILE.test(path)) return 'typescript';
  return hostRunsTypeScript(inputs.runtime) ? 'typescript' : 'javascript';
}

let runtime: HostRuntime | undefined;

/** Called once by the worker with the facts from its boot data. */
export function setHostRuntime(facts: HostRuntime | undefined): void {
  runtime = facts;
}

/** The host facts given at boot (undefined in unit tests and before boot). */
export function hostRuntime(): HostRuntime | undefined {
  return runtime;
}
