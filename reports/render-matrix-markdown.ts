import { describeDriverPackage } from './describe-drivers.ts';
import type { ConformanceMatrix, MatrixCell } from '../harness/results/conformance-matrix.ts';

/** The short mark of a cell's verdict, the same in Markdown and HTML. */
export const MATRIX_MARKS: Readonly<Record<MatrixCell['verdict'], string>> = {
  pass: '✅ pass',
  fail: '❌ FAIL',
  'expected-fail': '⚠️ expected-fail',
  'unexpectedly-passing': '❗ unexpectedly passing',
  'not-applicable': '➖ n/a',
  skipped: '⏭ skipped',
};

const escapeCell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** RED with the red cells' count, else INCOMPLETE when some driver checked nothing, else GREEN. */
export const matrixHeadline = (matrix: ConformanceMatrix): string =>
  matrix.red > 0 ? `RED (${matrix.red} cell(s))` : matrix.incomplete.length > 0 ? 'INCOMPLETE' : 'GREEN';

/** matrix.md: rules × drivers with the verdict per cell, then every non-pass cell with its reason or counterexample. */
export function renderMatrixMarkdown(matrix: ConformanceMatrix): string {
  const names = matrix.drivers.map((driver) => driver.name);
  const lines = [
    `## kvs-conformance matrix — ${matrixHeadline(matrix)}`,
    '',
    ...matrix.incomplete.map((reason) => `Not checked: ${escapeCell(reason)}`),
    ...(matrix.incomplete.length > 0 ? [''] : []),
    `Target \`${matrix.targetUrl}\` · seed \`${matrix.seed}\` · manifest ${matrix.manifest ? `\`${matrix.manifest}\`` : 'none'}`,
    '',
    ...matrix.drivers.map(
      (driver) => `- **${driver.name}**: ${describeDriverPackage(driver)} (${driver.transport})`,
    ),
    '',
    `| rule | ${names.join(' | ')} |`,
    `|---|${names.map(() => '---').join('|')}|`,
    ...matrix.rows.map(
      (row) =>
        `| ${row.ruleId} | ${names.map((name) => MATRIX_MARKS[row.cells[name]?.verdict ?? 'skipped']).join(' | ')} |`,
    ),
    '',
    '### Cells that are not a plain pass',
    '',
    '| rule | driver | verdict | detail | counterexample |',
    '|---|---|---|---|---|',
  ];
  for (const row of matrix.rows) {
    for (const name of names) {
      const cell = row.cells[name];
      if (!cell || cell.verdict === 'pass' || (cell.verdict === 'skipped' && name !== 'http')) continue;
      if (cell.verdict === 'not-applicable' && cell.reason?.startsWith('a wire-level rule')) continue;
      const detail = [cell.message, cell.reason, cell.link].filter(Boolean).join(' — ');
      lines.push(
        `| ${row.ruleId} | ${name} | ${MATRIX_MARKS[cell.verdict]} | ${escapeCell(detail)} | ${cell.counterexample ? `\`${escapeCell(cell.counterexample)}\`` : ''} |`,
      );
    }
  }
  lines.push(
    '',
    'Wire-level rules (status codes, headers, schemas) are checked through `http` only: `n/a` in client columns.',
  );
  return `${lines.join('\n')}\n`;
}
