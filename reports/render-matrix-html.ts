import type { ConformanceMatrix } from '../harness/results/conformance-matrix.ts';
import { escapeHtml } from './render-html-report.ts';
import { MATRIX_MARKS, matrixHeadline } from './render-matrix-markdown.ts';

/** The matrix as a section of the HTML report: rules × drivers, each cell's detail in its title. */
export function renderMatrixHtmlSection(matrix: ConformanceMatrix): string {
  const names = matrix.drivers.map((driver) => driver.name);
  const head = names
    .map((name) => {
      const driver = matrix.drivers.find((each) => each.name === name);
      return `<th title="${escapeHtml(`${driver?.package ?? ''} ${driver?.version ?? ''} (${driver?.transport ?? ''})`)}">${escapeHtml(name)}</th>`;
    })
    .join('');
  const rows = matrix.rows
    .map((row) => {
      const cells = names
        .map((name) => {
          const cell = row.cells[name];
          const detail = [
            cell?.message,
            cell?.reason,
            cell?.counterexample && `counterexample: ${cell.counterexample}`,
            cell?.link,
          ]
            .filter(Boolean)
            .join('\n');
          return `<td class="m-${cell?.verdict ?? 'skipped'}" title="${escapeHtml(detail)}">${escapeHtml(MATRIX_MARKS[cell?.verdict ?? 'skipped'])}</td>`;
        })
        .join('');
      return `<tr><th title="${escapeHtml(row.rule)}">${escapeHtml(row.ruleId)}</th>${cells}</tr>`;
    })
    .join('\n');
  return `<section id="matrix"><h2>Matrix: rules × drivers — ${escapeHtml(matrixHeadline(matrix).toLowerCase())}</h2>
<p>Manifest: ${escapeHtml(matrix.manifest ?? 'none')}. Hover a cell for its reason and counterexample.</p>
<table><thead><tr><th>rule</th>${head}</tr></thead><tbody>
${rows}
</tbody></table></section>`;
}
