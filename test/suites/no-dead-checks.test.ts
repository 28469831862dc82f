// No check that cannot fail: an `expectRule` that only re-checks the status of an answer whose
// `api.call(…, { expect: { status } })` already enforced it can never fire (the call throws first,
// under the same rule). Read from the suite files' syntax trees (TypeScript compiler API).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SUITES = fileURLToPath(new URL('../../suites/', import.meta.url));

/**
 * The declarations bound to `await api.call(…, { …, expect: { …, status … } })`: answers whose
 * status the call has already enforced.
 */
function statusCheckedAnswers(file: ts.SourceFile): Set<ts.Declaration> {
  const found = new Set<ts.Declaration>();
  const enforcesStatus = (argument: ts.Expression): boolean =>
    ts.isObjectLiteralExpression(argument) &&
    argument.properties.some(
      (property) =>
        ts.isPropertyAssignment(property) &&
        property.name.getText(file) === 'expect' &&
        ts.isObjectLiteralExpression(property.initializer) &&
        property.initializer.properties.some((inner) => inner.name?.getText(file) === 'status'),
    );
  const visit = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
      const call = ts.isAwaitExpression(node.initializer) ? node.initializer.expression : node.initializer;
      if (
        ts.isCallExpression(call) &&
        call.expression.getText(file).endsWith('api.call') &&
        call.arguments.some(enforcesStatus)
      )
        found.add(node);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/** The conjuncts of `a && b && c` (the expression itself when it is no conjunction). */
function conjuncts(condition: ts.Expression): ts.Expression[] {
  const inner = ts.isParenthesizedExpression(condition) ? condition.expression : condition;
  return ts.isBinaryExpression(inner) && inner.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken
    ? [...conjuncts(inner.left), ...conjuncts(inner.right)]
    : [inner];
}

/**
 * Every `expectRule` whose condition, or a conjunct of it, reads nothing but the status of an
 * answer whose call already enforced it, as `file:line condition`.
 */
export function deadStatusChecks(path: string): string[] {
  const program = ts.createProgram([path], { noResolve: true, noLib: true, allowJs: false });
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(path);
  if (!file) throw new Error(`test bug: cannot read ${path}`);
  const checked = statusCheckedAnswers(file);
  /** Whether an expression reads only `<checked answer>.status` (and literals, operators, `.includes`). */
  const onlyStatus = (expression: ts.Expression): boolean => {
    let statusReads = 0;
    let otherReads = 0;
    const visit = (node: ts.Node): void => {
      if (
        ts.isPropertyAccessExpression(node) &&
        node.name.text === 'status' &&
        ts.isIdentifier(node.expression)
      ) {
        const declaration = checker.getSymbolAtLocation(node.expression)?.valueDeclaration;
        if (declaration && checked.has(declaration)) statusReads += 1;
        else otherReads += 1;
        return;
      }
      if (ts.isPropertyAccessExpression(node) && node.name.text === 'includes') {
        visit(node.expression);
        return;
      }
      if (ts.isIdentifier(node)) otherReads += 1;
      ts.forEachChild(node, visit);
    };
    visit(expression);
    return statusReads > 0 && otherReads === 0;
  };
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && node.expression.getText(file) === 'expectRule' && node.arguments[0]) {
      const condition = node.arguments[0];
      if (conjuncts(condition).some(onlyStatus)) {
        const line = file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1;
        found.push(`${path}:${line} expectRule(${condition.getText(file)}, …)`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

describe('the suites hold no check that cannot fail', () => {
  const files = readdirSync(SUITES).filter((name) => name.endsWith('.test.ts'));

  it.each(files)('suites/%s re-checks no status its api.call(…, { expect }) already enforced', (name) => {
    expect(deadStatusChecks(join(SUITES, name))).toEqual([]);
  });

  it('finds such a check (the detector itself)', () => {
    const sample = join(fileURLToPath(new URL('./fixtures/', import.meta.url)), 'dead-status-check.ts');
    expect(deadStatusChecks(sample)).toHaveLength(1);
  });
});
