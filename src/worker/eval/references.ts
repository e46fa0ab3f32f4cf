/**
 * The names a piece of parsed REPL code reads or writes as variables, for
 * the namespace scope (namespaces.ts): the main thread puts the namespace
 * object in the code's scope chain (`with`) only when the code refers to one
 * of its names, because every free name inside a `with` is a slow dynamic
 * lookup. A function typed in the REPL that uses only its own locals and
 * the app's globals then runs at full speed.
 *
 * A superset is fine (it only costs a `with`): locals and parameters count.
 * Not counted: property names (`a.b`, `{b: 1}`, methods, fields), labels,
 * `import.meta`/`new.target`, and the names a top-level declaration binds
 * (`function hot() {}` alone refers to nothing).
 *
 * Pure: reads the acorn AST, never edits.
 */
import type { AnyNode, Pattern, Program } from 'acorn';

const SKIP_KEYS = new Set(['type', 'start', 'end', 'loc', 'range']);

function isNode(value: unknown): value is AnyNode {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

/** The Identifier nodes a declaration pattern binds. */
function bindingNodes(pattern: Pattern, out: Set<AnyNode>): void {
  switch (pattern.type) {
    case 'Identifier':
      out.add(pattern);
      break;
    case 'ObjectPattern':
      for (const prop of pattern.properties) {
        if (prop.type === 'RestElement') bindingNodes(prop.argument, out);
        else {
          if (prop.shorthand) out.add(prop.key);
          bindingNodes(prop.value, out);
        }
      }
      break;
    case 'ArrayPattern':
      for (const el of pattern.elements) if (el) bindingNodes(el, out);
      break;
    case 'RestElement':
      bindingNodes(pattern.argument, out);
      break;
    case 'AssignmentPattern':
      bindingNodes(pattern.left, out);
      break;
    default:
      break;
  }
}

/** Identifier nodes that bind a name at the top level of the program (declarations and imports). */
function topLevelBindings(program: Program): Set<AnyNode> {
  const out = new Set<AnyNode>();
  for (const stmt of program.body) {
    if (stmt.type === 'VariableDeclaration') for (const d of stmt.declarations) bindingNodes(d.id, out);
    else if ((stmt.type === 'FunctionDeclaration' || stmt.type === 'ClassDeclaration') && stmt.id) out.add(stmt.id);
    else if (stmt.type === 'ImportDeclaration') {
      for (const spec of stmt.specifiers) {
        out.add(spec.local);
        if (spec.type === 'ImportSpecifier') out.add(spec.imported);
      }
    }
  }
  return out;
}

/** Variable names the program refers to, each once. */
export function referencedNames(program: Program): string[] {
  const skip = topLevelBindings(program);
  const names = new Set<string>();
  const visit = (node: AnyNode): void => {
    if (skip.has(node)) return;
    switch (node.type) {
      case 'Identifier':
        names.add(node.name);
        return;
      case 'MemberExpression':
        visit(node.object);
        if (node.computed) visit(node.property);
        return;
      case 'Property':
      case 'MethodDefinition':
      case 'PropertyDefinition':
        if (node.computed) visit(node.key);
        if (node.value) visit(node.value);
        return;
      case 'LabeledStatement':
        visit(node.body);
        return;
      case 'BreakStatement':
      case 'ContinueStatement':
      case 'MetaProperty':
        return;
    }
    for (const key in node) {
      if (SKIP_KEYS.has(key)) continue;
      const value = (node as unknown as Record<string, unknown>)[key];
      if (Array.isArray(value)) {
        for (const item of value) if (isNode(item)) visit(item);
      } else if (isNode(value)) visit(value);
    }
  };
  for (const stmt of program.body) visit(stmt);
  return [...names];
}
