/**
 * Rewrites REPL code so that `vm.runInThisContext` runs it like a browser
 * console would: top-level declarations become globals that later evals can
 * declare again, top-level `await` and static `import` work, and `{a: 1}` is an
 * object. Pure string in, string out: it never evaluates code and never throws.
 *
 * It does not run code, capture output or format results (see evaluate.ts).
 *
 * Edits are made in place and never add or remove a line break inside the
 * user's code, so a line number in a stack trace is the user's line number.
 * Columns move on lines where something was rewritten: on line 1 by the async
 * wrapper prefix (`var a, b; (async () => {`) or the `(` of an object literal,
 * and on any line where `const`/`let`/`class`/`import` was rewritten. Two
 * additions go after the last line only: the wrapper's `})()` and an object
 * literal's `)` move onto a new line when the code ends inside a `//` comment.
 *
 * Known differences from a console: `const` bindings can be reassigned and
 * there is no temporal dead zone (they are `var`s); declaring a name the host
 * already has as a global (`const process = 1`) overwrites it; in async code,
 * reassigning a function declared in the same eval changes only its local
 * copy, imports are not hoisted or live (`copiedImports` lets the caller say
 * so), and only a last top-level expression statement gives a result. A
 * named import the module does not export throws Node's SyntaxError.
 */
import type { Comment, ImportDeclaration, Options, Pattern, Program, VariableDeclaration } from 'acorn';
import { oneLine } from '../../errors';
import { debug } from '../../log';
import { patternNames, scanScriptScope } from '../../shared/declarations';
import type { ScriptScope } from '../../shared/declarations';
import { referencedNames } from './references';
import { hasUseStrict, NS_BINDING } from '../../shared/eval-names';

/** A syntax error located in the user's code, ready to be reported like V8 reports one. */
export interface EvalSyntaxError {
  name: 'SyntaxError';
  /** acorn's message without its `(line:column)` suffix, or ours for `export`. */
  message: string;
  /** 1-based line. */
  line: number;
  /** 1-based column, as in V8 stack frames (`file:line:column`). */
  column: number;
  /** The message is ours and says what to write instead (export, misplaced import, TypeScript enum…): V8's would not. */
  explained?: boolean;
}

/** The result of {@link prepareEval}. */
export type PreparedEval =
  | {
      ok: true;
      /** Script source for `vm.runInThisContext`. */
      code: string;
      /** True when running `code` returns a Promise for the completion value. */
      async: boolean;
      /** Global names the code declares at top level (and in `var` statements outside functions), in source order. */
      declared: string[];
      /** Names bound by `import { a }`: copies of the export, not live bindings (see IMPORT_COPY_WARNING). */
      copiedImports?: string[];
      /**
       * Namespace mode: declarations write to the namespace object bound as
       * {@link NS_BINDING}, and `references` are the variable names the code
       * uses (undefined when the code was not parsed: a plain expression).
       */
      namespaced?: { references?: string[] };
    }
  | { ok: false; error: EvalSyntaxError };

/** Options for {@link prepareEval}. */
export interface PrepareOptions {
  /** The name the caller gives vm; accepted for symmetry, the transform does not use it. */
  filename?: string;
  /**
   * Clojure's namespace model: top-level declarations become properties of
   * the eval's namespace object (namespaces.ts), never globals; imported
   * names are live getters on it. Not for code whose prologue says
   * "use strict" (the namespace is reached through `with`): that code keeps
   * the global declarations.
   */
  namespace?: boolean;
}

export { NS_BINDING } from '../../shared/eval-names';

const PARSE_OPTIONS: Options = {
  ecmaVersion: 'latest',
  sourceType: 'script',
  allowAwaitOutsideFunction: true,
  allowReturnOutsideFunction: false,
  allowHashBang: true,
  // Lets static imports parse in a script; scanScriptScope rejects misplaced ones and every export.
  allowImportExportEverywhere: true,
};

const EXPORT_MESSAGE =
  "'export' is not supported in the REPL: code runs as a script, not a module. " +
  'Top-level declarations already persist between evals; remove the export.';
/** Said once per session when code binds names with `import { … }` (the README states the same limit). */
export const IMPORT_COPY_WARNING =
  "nrepl-ts: imported names are copies taken when the import runs, not live bindings; to see later changes read them through the namespace (import * as m from '…'; m.name). (Shown once per session.)\n";
const NESTED_IMPORT_MESSAGE = "'import' and 'export' may only appear at the top level";

const LINE_BREAK = /\r\n|[\n\r\u2028\u2029]/g;

interface Parsed {
  source: string;
  program: Program;
  comments: Comment[];
}

/** Pending in-place edits to one source string. */
class Edits {
  private readonly list: { start: number; end: number; text: string }[] = [];

  constructor(private readonly source: string) {}

  insert(at: number, text: string): void {
    this.list.push({ start: at, end: at, text });
  }

  replace(start: number, end: number, text: string): void {
    this.list.push({ start, end, text });
  }

  /** Applies all edits. At one position, insertions come before a replacement, in the order they were made. */
  apply(): string {
    const sorted = [...this.list].sort((a, b) => a.start - b.start || Number(a.end > a.start) - Number(b.end > b.start));
    let out = '';
    let cursor = 0;
    for (const edit of sorted) {
      if (edit.start < cursor) throw new Error(`overlapping edits at ${edit.start}`);
      out += this.source.slice(cursor, edit.start) + edit.text;
      cursor = edit.end;
    }
    return out + this.source.slice(cursor);
  }
}

function parseSource(source: string): Parsed {
  const comments: Comment[] = [];
  const program = acorn().parse(source, { ...PARSE_OPTIONS, onComment: comments });
  return { source, program, comments };
}

/** The node REPL rule: code that starts with `{` and doesn't end with `;` is an object literal if it parses as one. */
function parseAsObjectLiteral(code: string): Parsed | undefined {
  if (!/^\s*\{/.test(code) || /;\s*$/.test(code)) return undefined;
  const candidates = [`(${code})`];
  if (code.includes('//') || code.includes('-->')) candidates.push(`(${code}\n)`);
  for (const wrapped of candidates) {
    try {
      return parseSource(wrapped);
    } catch {
      // Not an expression: parse it as statements.
    }
  }
  return undefined;
}

function syntaxError(message: string, line: number, column: number, explained = false): PreparedEval {
  return { ok: false, error: explained ? { name: 'SyntaxError', message, line, column, explained } : { name: 'SyntaxError', message, line, column } };
}

function isAcornError(err: unknown): err is SyntaxError & { loc: { line: number; column: number } } {
  return err instanceof SyntaxError && typeof (err as { loc?: { line?: unknown } }).loc?.line === 'number';
}

/**
 * Prepares one eval's code for `vm.runInThisContext` in the host's global
 * context. Returns the code to run, or the first syntax error acorn finds.
 * If the transform itself fails (a bug, or input too deeply nested for the
 * parser) the code passes through unchanged for V8 to judge.
 */
export function prepareEval(code: string, opts: PrepareOptions = {}): PreparedEval {
  // Most interactive evals are plain expressions: nothing to rewrite, so no parse. V8 still
  // reports their syntax errors when they run, as the same eval error.
  const namespace = opts.namespace === true && !hasUseStrict(code);
  if (!NEEDS_TRANSFORM.test(code)) {
    return namespace ? { ok: true, code, async: false, declared: [], namespaced: {} } : { ok: true, code, async: false, declared: [] };
  }
  try {
    return transform(parseAsObjectLiteral(code) ?? parseSource(code), namespace);
  } catch (err) {
    // acorn gives up on deep nesting (~700 levels) that V8 still compiles: let V8 decide.
    if (isAcornError(err) && !err.message.startsWith('Not enough stack space')) {
      return syntaxError(err.message.replace(/ \(\d+:\d+\)$/, ''), err.loc.line, err.loc.column + 1);
    }
    debug(`eval transform failed, passing the code through: ${oneLine(err)}`);
    return namespace ? { ok: true, code, async: false, declared: [], namespaced: {} } : { ok: true, code, async: false, declared: [] };
  }
}

/** acorn, loaded on the first eval that needs rewriting (plain expressions never do). */
function acorn(): typeof import('acorn') {
  return require('acorn') as typeof import('acorn');
}

/**
 * Code that may hold something the transform rewrites: a declaration, await,
 * an import/export, a leading `{` (object literal rule) or a hashbang. A false
 * positive only costs a parse.
 */
const NEEDS_TRANSFORM = /\b(?:let|const|class|var|function|await|import|export|return)\b|^\s*\{|^#!/;

function transform(parsed: Parsed, namespace = false): PreparedEval {
  const { source, program } = parsed;
  const scope = scanScriptScope(program);
  if (scope.misplaced) {
    const { line, column } = acorn().getLineInfo(source, scope.misplaced.node.start);
    return syntaxError(scope.misplaced.kind === 'export' ? EXPORT_MESSAGE : NESTED_IMPORT_MESSAGE, line, column + 1, true);
  }
  const edits = new Edits(source);
  // A hashbang is only legal at offset 0; the wrapper prefix would push it off.
  if (source.startsWith('#!')) edits.replace(0, 2, '//');
  const hasImport = program.body.some((stmt) => stmt.type === 'ImportDeclaration');
  if (namespace) return namespaced(parsed, scope, edits, scope.topLevelAwait || hasImport);
  return scope.topLevelAwait || hasImport ? wrapAsync(parsed, scope, edits) : keepSync(parsed, scope, edits);
}

/** Declared names in source order, each once. */
function ordered(entries: { at: number; names: string[] }[]): string[] {
  entries.sort((a, b) => a.at - b.at);
  return [...new Set(entries.flatMap((e) => e.names))];
}

function declaratorNames(decl: VariableDeclaration): string[] {
  const out: string[] = [];
  for (const d of decl.declarations) patternNames(d.id, out);
  return out;
}

/** Where a `var`/`let`/`const` stands: at the top level, or nested (shared/declarations.ts). */
type DeclarationPlace = 'top' | ScriptScope['nestedVars'][number]['place'];

/** How one mode (kept synchronous, async wrapper, namespace) rewrites each kind of top-level declaration. */
interface DeclarationRewrites {
  /** Rewrites a variable declaration; false when this mode does not treat it as one (it then declares nothing). */
  variable(decl: VariableDeclaration, place: DeclarationPlace): boolean;
  classDecl(name: string, start: number, end: number): void;
  /** Only the async modes meet imports (a static import makes code async). */
  importDecl?(decl: ImportDeclaration): void;
}

/**
 * Walks the top-level declarations and the hoisted nested `var`s once for
 * every mode: each is rewritten by `rewrite`, and the names declared are
 * returned in source order. Function declarations stay as they are.
 */
function rewriteDeclarations(program: Program, scope: ScriptScope, rewrite: DeclarationRewrites): string[] {
  const declared: { at: number; names: string[] }[] = [];
  for (const stmt of program.body) {
    if (stmt.type === 'VariableDeclaration') {
      if (rewrite.variable(stmt, 'top')) declared.push({ at: stmt.start, names: declaratorNames(stmt) });
    } else if (stmt.type === 'ClassDeclaration') {
      declared.push({ at: stmt.start, names: [stmt.id.name] });
      rewrite.classDecl(stmt.id.name, stmt.start, stmt.end);
    } else if (stmt.type === 'FunctionDeclaration') {
      declared.push({ at: stmt.start, names: [stmt.id.name] });
    } else if (stmt.type === 'ImportDeclaration' && rewrite.importDecl) {
      declared.push({ at: stmt.start, names: stmt.specifiers.map((s) => s.local.name) });
      rewrite.importDecl(stmt);
    }
  }
  for (const { decl, place } of scope.nestedVars) {
    declared.push({ at: decl.start, names: declaratorNames(decl) });
    rewrite.variable(decl, place);
  }
  return ordered(declared);
}

/**
 * Sync code: `let`/`const` → `var` (a bare `let x` → `var x = void 0`, so it
 * resets like in a console), `class A {}` → `var A = class A {};`. Top-level
 * `var` and functions already make re-declarable globals in a script.
 */
function keepSync({ program }: Parsed, scope: ScriptScope, edits: Edits): PreparedEval {
  const declared = rewriteDeclarations(program, scope, {
    variable(decl, place) {
      if (place !== 'top') return true; // nested vars are already hoisted by the script
      if (decl.kind !== 'let' && decl.kind !== 'const' && decl.kind !== 'var') return false;
      if (decl.kind === 'var') return true;
      edits.replace(decl.start, decl.start + decl.kind.length, 'var');
      for (const d of decl.declarations) if (!d.init) edits.insert(d.id.end, ' = void 0');
      return true;
    },
    classDecl(name, start, end) {
      edits.insert(start, `var ${name} = `);
      edits.insert(end, ';');
    },
  });
  return { ok: true, code: edits.apply(), async: false, declared };
}

/** `let {a} = x;` → `void ({a} = x);` (the names are hoisted as `var` outside the wrapper). */
function declarationToAssignment(source: string, decl: VariableDeclaration, edits: Edits): void {
  edits.replace(decl.start, decl.start + decl.kind.length, 'void (');
  for (const d of decl.declarations) if (!d.init && decl.kind !== 'var') edits.insert(d.id.end, ' = void 0');
  edits.insert(decl.declarations[decl.declarations.length - 1].end, ')');
  if (source[decl.end - 1] !== ';') edits.insert(decl.end, ';');
}

/** `await import('m', { with: {…} })` for a static import's specifier and attributes. */
function dynamicImport(source: string, decl: ImportDeclaration): string {
  const attrs = decl.attributes.length
    ? `, { with: { ${decl.attributes.map((a) => source.slice(a.start, a.end)).join(', ')} } }`
    : '';
  return `await import(${source.slice(decl.source.start, decl.source.end)}${attrs})`;
}

/** `import d, {a as b} from 'm'` → `void ({default: d, a: b} = await import('m'));` plus the import's line breaks. */
function importToAssignment(source: string, decl: ImportDeclaration): string {
  const load = dynamicImport(source, decl);
  let def: string | undefined;
  let ns: string | undefined;
  const props: string[] = [];
  const named: { imported: string; local: string }[] = [];
  for (const spec of decl.specifiers) {
    if (spec.type === 'ImportDefaultSpecifier') def = spec.local.name;
    else if (spec.type === 'ImportNamespaceSpecifier') ns = spec.local.name;
    else {
      props.push(`${source.slice(spec.imported.start, spec.imported.end)}: ${spec.local.name}`);
      const imported = spec.imported.type === 'Identifier' ? spec.imported.name : String(spec.imported.value);
      named.push({ imported, local: spec.local.name });
    }
  }
  const wanted = [...(def ? ['default'] : []), ...named.map((n) => n.imported)];
  const checked = ns || wanted.length === 0 ? load : `${missingExportCheck(String(decl.source.value), wanted, named)}(${load})`;
  let text: string;
  if (ns) text = `void (${ns} = ${load}${def ? `, ${def} = ${ns}.default` : ''});`;
  else if (def || props.length) text = `void ({${[...(def ? [`default: ${def}`] : []), ...props].join(', ')}} = ${checked});`;
  else text = `void (${load});`;
  const breaks = source.slice(decl.start, decl.end).match(LINE_BREAK)?.length ?? 0;
  return text + '\n'.repeat(breaks);
}

/**
 * An arrow that hands the namespace back, or throws Node's own SyntaxError
 * for a name the module does not export (a static import would fail to link;
 * destructuring would give `undefined` silently). Node knows the module's
 * format; here a namespace counts as CommonJS when it has Node 22's
 * `module.exports` key, or when its default is an object whose properties
 * are all the other exports (so an ES module whose default object repeats
 * its named exports gets the CommonJS wording; it still throws).
 */
function missingExportCheck(specifier: string, wanted: string[], named: { imported: string; local: string }[]): string {
  const destructure = named.map((n) => (n.imported === n.local ? n.local : `${JSON.stringify(n.imported).replace(/^"([\w$]+)"$/, '$1')}: ${n.local}`)).join(', ');
  const cjsHead = "Named export '";
  const cjsTail =
    `' not found. The requested module '${specifier}' is a CommonJS module, which may not support all module.exports as named exports.\n` +
    'CommonJS modules can always be imported via the default export, for example using:\n\n' +
    `import pkg from '${specifier}';\n${destructure ? `const { ${destructure} } = pkg;\n` : ''}`;
  const esmHead = `The requested module '${specifier}' does not provide an export named '`;
  const isCjs =
    "('module.exports' in n || (n.default !== null && (typeof n.default === 'object' || typeof n.default === 'function') && " +
    "Object.keys(n).every((x) => x === 'default' || n[x] === n.default[x])))";
  return (
    `((n) => { for (const k of ${JSON.stringify(wanted)}) if (!(k in n)) throw new SyntaxError(${isCjs} && k !== 'default' ? ` +
    `${JSON.stringify(cjsHead)} + k + ${JSON.stringify(cjsTail)} : ${JSON.stringify(esmHead)} + k + "'"); return n; })`
  );
}

/**
 * Code with top-level `await` or `import`: runs inside `(async () => {…})()`,
 * with every declared name hoisted as `var` before it so it stays global.
 * Declarations become assignments in place; function declarations stay in
 * place (hoisted inside the wrapper) and are copied to the global object at
 * the start of the body. The last statement, if an expression, is returned.
 */
function wrapAsync({ source, program, comments }: Parsed, scope: ScriptScope, edits: Edits): PreparedEval {
  // Copy functions to the global object after any directive prologue, so "use strict" stays a
  // directive. Made first: it must precede any other edit at the same offset.
  const functions = program.body.flatMap((stmt) => (stmt.type === 'FunctionDeclaration' ? [stmt.id.name] : []));
  const copyFunctions = functions.map((name) => `this.${name} = ${name};`).join(' ');
  let directivesEnd = -1;
  for (const stmt of program.body) {
    if (stmt.type !== 'ExpressionStatement' || stmt.directive === undefined) break;
    directivesEnd = stmt.end;
  }
  if (copyFunctions && directivesEnd >= 0) edits.insert(directivesEnd, `;${copyFunctions}`);

  const declared = rewriteDeclarations(program, scope, {
    variable(decl, place) {
      if (place === 'top' && decl.kind !== 'let' && decl.kind !== 'const' && decl.kind !== 'var') return false;
      if (place === 'top' || place === 'statement') {
        declarationToAssignment(source, decl, edits);
        return true;
      }
      edits.replace(decl.start, decl.start + decl.kind.length, '');
      const id = decl.declarations[0].id;
      // `for (async of x)` and `for (let of x)` would mean something else.
      if (place === 'for-in-of' && id.type === 'Identifier') {
        edits.insert(id.start, '(');
        edits.insert(id.end, ')');
      }
      return true;
    },
    classDecl(name, start, end) {
      edits.insert(start, `${name} = `);
      edits.insert(end, ';');
    },
    importDecl: (decl) => edits.replace(decl.start, decl.end, importToAssignment(source, decl)),
  });

  const last = program.body[program.body.length - 1];
  if (last?.type === 'ExpressionStatement') {
    edits.insert(last.start, 'return (');
    edits.insert(source[last.end - 1] === ';' ? last.end - 1 : last.end, ')');
  }

  const copiedImports = program.body.flatMap((stmt) =>
    stmt.type === 'ImportDeclaration' ? stmt.specifiers.flatMap((spec) => (spec.type === 'ImportSpecifier' ? [spec.local.name] : [])) : [],
  );
  const names = declared;
  const hoist = names.length ? `var ${names.join(', ')}; ` : '';
  const open = `${hoist}(async () => {${directivesEnd < 0 ? copyFunctions : ''}`;
  const endsInLineComment = comments.some((c) => c.type === 'Line' && c.end === source.length);
  const close = `${endsInLineComment ? '\n' : ''}})()`;
  const prepared: PreparedEval = { ok: true, code: open + edits.apply() + close, async: true, declared: names };
  if (copiedImports.length > 0) prepared.copiedImports = copiedImports;
  return prepared;
}

const NS = NS_BINDING;

/** Prefixes every name a declaration pattern binds with the namespace: `{a, b: [c = 1]}` → `{a: NS.a, b: [NS.c = 1]}`. */
function nsPattern(pattern: Pattern, edits: Edits): void {
  switch (pattern.type) {
    case 'Identifier':
      edits.insert(pattern.start, `${NS}.`);
      break;
    case 'ObjectPattern':
      for (const prop of pattern.properties) {
        if (prop.type === 'RestElement') nsPattern(prop.argument, edits);
        else {
          if (prop.shorthand && prop.key.type === 'Identifier') edits.insert(prop.key.start, `${prop.key.name}: `);
          nsPattern(prop.value, edits);
        }
      }
      break;
    case 'ArrayPattern':
      for (const el of pattern.elements) if (el) nsPattern(el, edits);
      break;
    case 'RestElement':
      nsPattern(pattern.argument, edits);
      break;
    case 'AssignmentPattern':
      nsPattern(pattern.left, edits);
      break;
    default:
      break;
  }
}

/** `const a = 1, {b} = o` → `void (NS.a = 1, {b: NS.b} = o);` A bare `var x` keeps the namespace's value, a bare `let x` resets it. */
function declarationToNamespace(source: string, decl: VariableDeclaration, edits: Edits, statement: boolean): void {
  edits.replace(decl.start, decl.start + decl.kind.length, statement ? 'void (' : '');
  for (const d of decl.declarations) {
    nsPattern(d.id, edits);
    if (!d.init && d.id.type === 'Identifier') edits.insert(d.id.end, decl.kind === 'var' ? ` = ${NS}.${d.id.name}` : ' = void 0');
  }
  if (!statement) return;
  edits.insert(decl.declarations[decl.declarations.length - 1].end, ')');
  if (source[decl.end - 1] !== ';') edits.insert(decl.end, ';');
}

/**
 * `import d, {a as b} from 'm'` → live getters on the namespace for `d` and
 * `b` over the module's namespace (after the missing-export check); `import
 * * as m` stores the namespace object itself. Assigning to an imported name
 * replaces the getter with a plain value, as re-declaring does.
 */
function importToNamespace(source: string, decl: ImportDeclaration): string {
  const load = dynamicImport(source, decl);
  const live: { imported: string; local: string }[] = [];
  const named: { imported: string; local: string }[] = [];
  let ns: string | undefined;
  for (const spec of decl.specifiers) {
    if (spec.type === 'ImportNamespaceSpecifier') ns = spec.local.name;
    else if (spec.type === 'ImportDefaultSpecifier') live.push({ imported: 'default', local: spec.local.name });
    else {
      const imported = spec.imported.type === 'Identifier' ? spec.imported.name : String(spec.imported.value);
      live.push({ imported, local: spec.local.name });
      named.push({ imported, local: spec.local.name });
    }
  }
  const checked = live.length > 0 ? `${missingExportCheck(String(decl.source.value), live.map((l) => l.imported), named)}(${load})` : load;
  const getters = live
    .map(
      ({ imported, local }) =>
        `Object.defineProperty(${NS}, ${JSON.stringify(local)}, { get: () => m[${JSON.stringify(imported)}], ` +
        `set: (v) => Object.defineProperty(${NS}, ${JSON.stringify(local)}, { value: v, writable: true, enumerable: true, configurable: true }), enumerable: true, configurable: true })`,
    )
    .join('; ');
  let text: string;
  if (ns) text = `void ((m) => { ${NS}.${ns} = m; ${getters} })(${checked});`;
  else if (live.length > 0) text = `void ((m) => { ${getters} })(${checked});`;
  else text = `void (${load});`;
  const breaks = source.slice(decl.start, decl.end).match(LINE_BREAK)?.length ?? 0;
  return text + '\n'.repeat(breaks);
}

/**
 * Namespace mode (PrepareOptions.namespace): every top-level declaration
 * writes to the namespace object; nothing is declared in the script's global
 * scope. Code with function declarations, `await` or `import` runs inside an
 * arrow (async when needed) so that functions stay hoisted: they are
 * declared in the arrow and copied to the namespace at its start, and the
 * last expression statement is returned. Other code runs as it is, so every
 * statement keeps its completion value.
 */
function namespaced({ source, program, comments }: Parsed, scope: ScriptScope, edits: Edits, isAsync: boolean): PreparedEval {
  const functions = program.body.flatMap((stmt) => (stmt.type === 'FunctionDeclaration' ? [stmt.id.name] : []));
  const wrap = isAsync || functions.length > 0;
  const copyFunctions = functions.map((name) => `${NS}.${name} = ${name};`).join(' ');
  let directivesEnd = -1;
  if (wrap) {
    for (const stmt of program.body) {
      if (stmt.type !== 'ExpressionStatement' || stmt.directive === undefined) break;
      directivesEnd = stmt.end;
    }
    if (copyFunctions && directivesEnd >= 0) edits.insert(directivesEnd, `;${copyFunctions}`);
  }
  const names = rewriteDeclarations(program, scope, {
    variable(decl, place) {
      declarationToNamespace(source, decl, edits, place === 'top' || place === 'statement');
      return true;
    },
    classDecl(name, start, end) {
      edits.insert(start, `void (${NS}.${name} = `);
      edits.insert(end, ');');
    },
    importDecl: (decl) => edits.replace(decl.start, decl.end, importToNamespace(source, decl)),
  });
  const namespacedInfo = { references: referencedNames(program) };
  if (!wrap) return { ok: true, code: edits.apply(), async: false, declared: names, namespaced: namespacedInfo };

  const last = program.body[program.body.length - 1];
  if (last?.type === 'ExpressionStatement') {
    edits.insert(last.start, 'return (');
    edits.insert(source[last.end - 1] === ';' ? last.end - 1 : last.end, ')');
  }
  const open = `(${isAsync ? 'async ' : ''}() => {${directivesEnd < 0 ? copyFunctions : ''}`;
  const endsInLineComment = comments.some((c) => c.type === 'Line' && c.end === source.length);
  const close = `${endsInLineComment ? '\n' : ''}})()`;
  return { ok: true, code: open + edits.apply() + close, async: isAsync, declared: names, namespaced: namespacedInfo };
}
