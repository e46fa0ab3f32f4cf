/**
 * The worker's one entry for turning typed code into runnable code: picks
 * the eval's language (language.ts), strips TypeScript types when it is
 * TypeScript (typescript.ts, loaded on first use), then rewrites the result
 * for the REPL (transform.ts). JavaScript never waits: its result is
 * returned synchronously, so an eval starts in the same turn as before.
 *
 * It does not run code; the accept layers send the result to the main thread.
 */
import { ErrorCodes, oneLine } from '../../errors';
import { say } from '../../log';
import { chooseLanguage, hostRuntime, type Language } from './language';
import { prepareEval, type PreparedEval } from './transform';
import { loadedTypeScript, loadTypeScript, type StripTypes } from './typescript';

/** Where the code comes from: the choice inputs of language.ts that are not host facts. */
export interface InputContext {
  /** The request's `nrepl-ts/language` value, if any. */
  requested?: unknown;
  /** The server's args language, if any. */
  server?: Language;
  file?: string;
  ns?: string;
}

/**
 * Prepares code for the main thread; never rejects. If the stripper cannot
 * load, the code runs as JavaScript, and a syntax error then says why types
 * were not stripped.
 */
export function prepareInput(code: string, context: InputContext): PreparedEval | Promise<PreparedEval> {
  const language = chooseLanguage({ ...context, runtime: hostRuntime() });
  if (language === 'javascript') return prepareEval(code, { filename: context.file, namespace: true });
  const strip = loadedTypeScript();
  return strip ? stripAndPrepare(strip, code, context) : prepareTypeScript(code, context);
}

/** The language of the forms a plain REPL or prepl connection reads (its ns is always "user"). */
export function formLanguage(server: Language | undefined): Language {
  return chooseLanguage({ server, ns: 'user', runtime: hostRuntime() });
}

function stripAndPrepare(strip: StripTypes, code: string, context: InputContext): PreparedEval {
  const stripped = strip(code);
  if (!stripped.ok) return stripped;
  return prepareEval(stripped.code, { filename: context.file, namespace: true });
}

/** Calls `then` with the prepared code: at once when it is ready, else when the stripper has loaded. */
export function whenPrepared(result: PreparedEval | Promise<PreparedEval>, then: (prepared: PreparedEval) => void): void {
  if (result instanceof Promise) result.then(then).catch((err) => say(`${ErrorCodes.INTERNAL}: preparing TypeScript input failed: ${oneLine(err)} (please report this)`));
  else then(result);
}

async function prepareTypeScript(code: string, context: InputContext): Promise<PreparedEval> {
  let strip;
  try {
    strip = await loadTypeScript();
  } catch (err) {
    const prepared = prepareEval(code, { filename: context.file, namespace: true });
    if (!prepared.ok) prepared.error.message += ` (types were not stripped: ${(err as Error).message})`;
    return prepared;
  }
  return stripAndPrepare(strip, code, context);
}
