import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { BUILT_IN_DRIVERS, OPTIONAL_DRIVER_PACKAGES } from '../harness/drivers/built-in-drivers.ts';
import { optionalPackageStatus } from '../harness/optional-package.ts';
import { packageRoot } from '../harness/package-root.ts';
import { cliRunSources, cliSessionSetup, reportInterruptedBeforeStart, shownPath } from './cli-session.ts';
import { EXIT_CODES } from './exit-codes.ts';
import { addRunFlags, runOptionsFromFlags } from './run-flags.ts';

/** The manifest of expected deviations of the built-in drivers, shipped with the package. */
export const SHIPPED_MANIFEST = join(packageRoot(), 'spec', 'expected-deviations.yaml');

/** The matrix files, next to the run's report files. */
export const MATRIX_FILES = { json: 'matrix.json', markdown: 'matrix.md' } as const;

/**
 * The drivers a matrix runs when none is named: every built-in driver whose optional package is
 * installed; each one left out is named on stderr with the command that installs it.
 */
function installedBuiltInDrivers(): string[] {
  return BUILT_IN_DRIVERS.filter((driver) => {
    const name = (OPTIONAL_DRIVER_PACKAGES as Readonly<Record<string, string>>)[driver];
    const status = name === undefined ? { installed: true as const } : optionalPackageStatus(name);
    if (!status.installed)
      console.error(`matrix: left out --driver ${driver}: it needs ${name ?? ''} (${status.install})`);
    return status.installed;
  });
}

/**
 * `kvs-conformance matrix`: one run through several drivers (default: the installed built-in drivers)
 * against the same target, written as a matrix of rules × drivers (JSON, Markdown, a section of
 * report.html) with the expected-deviation manifest applied. Exit 1 on any new failure or
 * unexpected pass, 0 when every failure is expected.
 */
export function addMatrixCommand(program: Command, setExitCode: (code: number) => void): void {
  addRunFlags(
    program
      .command('matrix')
      .description(
        'run the client rule families through several drivers and write a rules × drivers matrix (default: every built-in driver whose optional package is installed)',
      )
      .option(
        '--manifest <file>',
        'expected-deviation manifest (YAML: drivers → [{rule, reason, link}]); default: the shipped one; "none" for none',
      ),
  ).action(async (flags: Record<string, unknown>) => {
    const fromFlags = runOptionsFromFlags(flags);
    const sources = await cliRunSources(
      { ...fromFlags, driver: fromFlags.driver ?? installedBuiltInDrivers() },
      flags.config as string | undefined,
    );
    // The heavy parts load only when the command runs, so `--help` does not pay for them.
    const [
      { runSession },
      { buildMatrix },
      { loadExpectedDeviations },
      { REPORT_FILES },
      { renderMatrixHtmlSection },
      { renderMatrixMarkdown },
    ] = await Promise.all([
      import('../runner/run-session.ts'),
      import('../runner/build-matrix.ts'),
      import('../runner/expected-deviations.ts'),
      import('../reports/index.ts'),
      import('../reports/render-matrix-html.ts'),
      import('../reports/render-matrix-markdown.ts'),
    ]);
    const manifestFlag = flags.manifest as string | undefined;
    const deviations =
      manifestFlag === 'none' ? undefined : loadExpectedDeviations(resolve(manifestFlag ?? SHIPPED_MANIFEST));
    const exitCode = await runSession(cliSessionSetup(sources), async ({ out, redact, run }) => {
      const { result } = await run({ clientContract: true });
      const matrix = buildMatrix({ ...result, targetUrl: redact(result.targetUrl) }, deviations);
      writeFileSync(join(out, MATRIX_FILES.json), redact(`${JSON.stringify(matrix, null, 2)}\n`));
      const markdown = redact(renderMatrixMarkdown(matrix));
      writeFileSync(join(out, MATRIX_FILES.markdown), markdown);
      const htmlFile = join(out, REPORT_FILES.html);
      const html = readFileSync(htmlFile, 'utf8');
      writeFileSync(htmlFile, html.replace('</body>', `${redact(renderMatrixHtmlSection(matrix))}</body>`));
      console.log(markdown);
      console.log(
        `matrix: ${shownPath(join(out, MATRIX_FILES.markdown))}, ${shownPath(join(out, MATRIX_FILES.json))}`,
      );
      if (result.interrupted || result.runErrors.length > 0) {
        for (const error of result.runErrors) console.error(`  ${redact(error)}`);
        return EXIT_CODES.toolError;
      }
      if (matrix.red > 0) return EXIT_CODES.ruleFailed;
      // A driver that checked nothing: the matrix is incomplete, never green.
      for (const reason of matrix.incomplete) console.error(`matrix: INCOMPLETE: ${redact(reason)}`);
      return matrix.incomplete.length > 0 ? EXIT_CODES.toolError : EXIT_CODES.ok;
    });
    if (exitCode === undefined) reportInterruptedBeforeStart(setExitCode);
    else setExitCode(exitCode);
  });
}
