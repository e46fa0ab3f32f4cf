/**
 * Reads the script scope of parsed REPL code for transform.ts: the names a
 * binding pattern declares, whether `await` is used outside every function,
 * where `var` statements nested in blocks and loops sit, and the first
 * `import`/`export` a REPL script cannot have.
 *
 * It only reads the acorn AST; it never edits source text.
 */
import type { AnyNode, Pattern, Program, VariableDeclaration } from 'acorn';

/** A `var` statement outside every function but not directly in the program body. */
export interface NestedVar {
  decl: VariableDeclaration;
  /** Where it sits: the head of a `for (;;)`, the left side of `for…in`/`for…of`, or a statement position. */
  place: 'for' | 'for-in-of' | 'statement';
}

/** What transform.ts needs to know about the script scope of one eval. */
export interface ScriptScope {
  /** `await` or `for await` outside every function (class computed keys count, field initializers don't). */
  topLevelAwait: boolean;
  /** Nested `var` statements in source order; they bind script-scope (global) names too. */
  nestedVars: NestedVar[];
  /** The first `export` anywhere, or the first `import` declaration not directly in the program body. */
  misplaced?: { node: AnyNode; kind: 'export' | 'nested-import' };
}

/** Appends the names bound by a declaration pattern (`{a, b: [c = 1, ...d]}` → a, c, d) to `out`. */
export function patternNames(pattern: Pattern, out: string[]): string[] {
  switch (pattern.type) {
    case 'Identifier':
      out.push(pattern.name);
      break;
    case 'ObjectPattern':
      for (const prop of pattern.properties) patternNames(prop.type === 'RestElement' ? prop.argument : prop.value, out);
      break;
    case 'ArrayPattern':
      for (const el of pattern.elements) if (el) patternNames(el, out);
      break;
    case 'RestElement':
      patternNames(pattern.argument, out);
      break;
    case 'AssignmentPattern':
      patternNames(pattern.left, out);
      break;
    case 'MemberExpression':
      // Only valid in assignments, never in declarations.
      break;
  }
  return out;
}

const SKIP_KEYS = new Set(['type', 'start', 'end', 'loc', 'range']);

function isNode(value: unknown): value is AnyNode {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

/** Calls `fn` on each direct child node, in source order for every ESTree node type acorn produces. */
function forEachChild(node: AnyNode, fn: (child: AnyNode) => void): void {
  for (const key in node) {
    if (SKIP_KEYS.has(key)) continue;
    const value = (node as unknown as Record<string, unknown>)[key];
    if (Array.isArray(value)) {
      for (const item of value) if (isNode(item)) fn(item);
    } else if (isNode(value)) {
      fn(value);
    }
  }
}

/** Nodes whose contents run in their own function-like scope: no top-level await or var inside. */
function opensFunctionScope(node: AnyNode): boolean {
  return (
    node.type === 'FunctionDeclaration' ||
    node.type === 'FunctionExpression' ||
    node.type === 'ArrowFunctionExpression' ||
    node.type === 'StaticBlock'
  );
}

/** Walks the whole program once and reports its script scope. */
export function scanScriptScope(program: Program): ScriptScope {
  const scope: ScriptScope = { topLevelAwait: false, nestedVars: [] };

  const visit = (node: AnyNode, parent: AnyNode, inFunction: boolean): void => {
    switch (node.type) {
      case 'ImportDeclaration':
        if (parent.type !== 'Program') scope.misplaced ??= { node, kind: 'nested-import' };
        break;
      case 'ExportNamedDeclaration':
      case 'ExportDefaultDeclaration':
      case 'ExportAllDeclaration':
        scope.misplaced ??= { node, kind: 'export' };
        break;
      case 'AwaitExpression':
        if (!inFunction) scope.topLevelAwait = true;
        break;
      case 'ForOfStatement':
        if (node.await && !inFunction) scope.topLevelAwait = true;
        break;
      case 'VariableDeclaration':
        if (!inFunction && node.kind === 'var' && parent.type !== 'Program') {
          const place =
            parent.type === 'ForStatement' && parent.init === node
              ? 'for'
              : (parent.type === 'ForInStatement' || parent.type === 'ForOfStatement') && parent.left === node
                ? 'for-in-of'
                : 'statement';
          scope.nestedVars.push({ decl: node, place });
        }
        break;
      case 'PropertyDefinition':
        // A computed key runs in the enclosing scope; the initializer runs like a method body.
        visit(node.key, node, inFunction);
        if (node.value) visit(node.value, node, true);
        return;
    }
    const inner = inFunction || opensFunctionScope(node);
    forEachChild(node, (child) => visit(child, node, inner));
  };

  for (const stmt of program.body) visit(stmt, program, false);
  return scope;
}
