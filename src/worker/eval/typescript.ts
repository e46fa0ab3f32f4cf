/**
 * TypeScript input for evaluation, in the worker: removes the types from one
 * eval's code by replacing them with spaces (ts-blank-space on TypeScript's
 * own parser), so every remaining character keeps its line and column and a
 * stack trace points at the typed line. `enum`, `namespace`, parameter
 * properties and `import x = require()` need generated code, not stripping:
 * they are reported as a SyntaxError at their position, with what to write
 * instead.
 *
 * Why ts-blank-space: it runs on every Node this package supports (amaro
 * declares Node >= 22, `module.stripTypeScriptTypes` needs 22.13 and prints an
 * ExperimentalWarning), and it blanks rather than rewrites, which is what
 * keeps positions. Its cost is TypeScript's parser (~260 ms and ~20 MB to
 * load), paid in the worker, and only by the first eval that asks for
 * TypeScript: plain-JavaScript sessions never load it.
 *
 * It does not decide when code is TypeScript (language.ts) and does not
 * rewrite declarations (transform.ts runs on the stripped code).
 */
import type { EvalSyntaxError } from './transform';

/** Stripped code (same length and line breaks as the input), or the first construct that cannot be stripped. */
export type Stripped = { ok: true; code: string } | { ok: false; error: EvalSyntaxError };

/** Strips one eval's code; available once {@link loadTypeScript} has resolved. */
export type StripTypes = (code: string) => Stripped;

type TypeScript = typeof import('typescript');
type Blank = (source: import('typescript').SourceFile, onError: (node: import('typescript').Node) => void) => string;

let loading: Promise<StripTypes> | undefined;
let loaded: StripTypes | undefined;

/** The stripper if it has loaded already, so later TypeScript evals need not wait a turn. */
export function loadedTypeScript(): StripTypes | undefined {
  return loaded;
}

/**
 * Loads the stripper on first use (one load per worker). Rejects with an
 * error saying what to install when ts-blank-space or typescript is missing.
 */
export function loadTypeScript(): Promise<StripTypes> {
  loading ??= (async () => {
    try {
      const ts = require('typescript') as TypeScript;
      const blank = (await import('ts-blank-space')) as unknown as { blankSourceFile: Blank };
      loaded = (code: string) => strip(ts, blank.blankSourceFile, code);
      return loaded;
    } catch (err) {
      loading = undefined;
      const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
      throw new Error(`nrepl-ts: TypeScript input needs the packages ts-blank-space and typescript (${reason}); reinstall nrepl-ts or evaluate JavaScript`);
    }
  })();
  return loading;
}

/** The node REPL rule (transform.ts): `{` without a trailing `;` is tried as an object literal first. */
const OBJECT_LITERAL = (code: string) => /^\s*\{/.test(code) && !/;\s*$/.test(code);

function strip(ts: TypeScript, blank: Blank, code: string): Stripped {
  if (OBJECT_LITERAL(code)) {
    const wrapped = `(${code}\n)`;
    const source = ts.createSourceFile('eval.ts', wrapped, ts.ScriptTarget.ESNext, true, ts.ScriptKind.TS);
    if ((source as unknown as { parseDiagnostics: unknown[] }).parseDiagnostics.length === 0) {
      const out = blankAll(ts, blank, source, 1);
      return out.ok ? { ok: true, code: out.code.slice(1, -2) } : out;
    }
  }
  return blankAll(ts, blank, ts.createSourceFile('eval.ts', code, ts.ScriptTarget.ESNext, true, ts.ScriptKind.TS), 0);
}

function blankAll(ts: TypeScript, blank: Blank, source: import('typescript').SourceFile, shift: number): Stripped {
  let first: import('typescript').Node | undefined;
  const code = blank(source, (node) => {
    first ??= node;
  });
  if (!first) return { ok: true, code };
  const at = first.getStart(source);
  const { line, character } = source.getLineAndCharacterOfPosition(at);
  return {
    ok: false,
    error: { name: 'SyntaxError', explained: true, message: unsupportedMessage(ts, first), line: line + 1, column: character + 1 - (line === 0 ? shift : 0) },
  };
}

/** What went wrong and what to write instead, per construct ts-blank-space cannot strip. */
export function unsupportedMessage(ts: TypeScript, node: import('typescript').Node): string {
  const tail = 'the REPL strips types and generates no code';
  switch (node.kind) {
    case ts.SyntaxKind.EnumDeclaration:
      return `TypeScript 'enum' is not supported: ${tail}; use an object, e.g. const Color = { Red: 0, Green: 1 } as const`;
    case ts.SyntaxKind.ModuleDeclaration:
      return `TypeScript 'namespace' is not supported: ${tail}; use an object or a module`;
    case ts.SyntaxKind.ImportEqualsDeclaration:
      return `TypeScript 'import x = require(...)' is not supported: ${tail}; use const x = require(...)`;
    case ts.SyntaxKind.PublicKeyword:
    case ts.SyntaxKind.PrivateKeyword:
    case ts.SyntaxKind.ProtectedKeyword:
    case ts.SyntaxKind.ReadonlyKeyword:
      return `TypeScript parameter properties (constructor(private x: T)) are not supported: ${tail}; declare the field and assign this.x = x`;
    default:
      return `this TypeScript syntax (${ts.SyntaxKind[node.kind]}) is not supported: ${tail}`;
  }
}
