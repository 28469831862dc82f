import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { ciRunSeed } from '../harness/config/ci-run-seed.ts';
import { ensureOutDir } from '../harness/config/ensure-out-dir.ts';
import {
  loadConfigFile,
  resolveRunOptions,
  runOptionsFromEnv,
} from '../harness/config/resolve-run-options.ts';
import { RULES_REFERENCE_FILE } from '../harness/contract/rules-reference-location.ts';
import { BUILT_IN_DRIVERS } from '../harness/drivers/built-in-drivers.ts';
import { redactSecrets, shortTokenWarning } from '../harness/http/redact.ts';
import { packageRoot } from '../harness/package-root.ts';
import { HARNESS_VERSION } from '../harness/version.ts';
import { EXIT_CODES } from './exit-codes.ts';
import { addRunFlags, runOptionsFromFlags } from './run-flags.ts';
import { shownPath } from './run-command.ts';

/** The manifest of expected deviations of the built-in drivers, shipped with the package. */
export const SHIPPED_MANIFEST = join(packageRoot(), 'spec', 'expected-deviations.yaml');

/** The matrix files, next to the run's report files. */
export const MATRIX_FILES = { json: 'matrix.json', markdown: 'matrix.md' } as const;

/**
 * `kvs-conformance matrix`: one run through several drivers (default: every built-in driver)
 * against the same target, written as a matrix of rules × drivers (JSON, Markdown, a section of
 * report.html) with the expected-deviation manifest applied. Exit 1 on any new failure or
 * unexpected pass, 0 when every failure is expected.
 */
export function addMatrixCommand(program: Command, setExitCode: (code: number) => void): void {
  addRunFlags(
    program
      .command('matrix')
      .description(
        'run the client rule families through several drivers and write a rules × drivers matrix (default: every built-in driver)',
      )
      .option(
        '--manifest <file>',
        'expected-deviation manifest (YAML: drivers → [{rule, reason, link}]); default: the shipped one; "none" for none',
      ),
  ).action(async (flags: Record<string, unknown>) => {
    const file = await loadConfigFile(flags.config as string | undefined, process.cwd());
    const fromFlags = runOptionsFromFlags(flags);
    let options = resolveRunOptions({
      flags: { ...fromFlags, driver: fromFlags.driver ?? [...BUILT_IN_DRIVERS] },
      env: runOptionsFromEnv(process.env),
      ...(file ? { file } : {}),
      ciSeed: ciRunSeed(process.env),
    });
    const out = ensureOutDir(options.out);
    // The heavy parts load only when the command runs, so `--help` does not pay for them.
    const [
      { loadContract },
      { runConformance },
      { startEmbeddedServer },
      { buildMatrix },
      { loadExpectedDeviations },
      { buildReport, REPORT_FILES, writeReportFiles },
      { renderMatrixHtmlSection },
      { renderMatrixMarkdown },
    ] = await Promise.all([
      import('../harness/contract/load-contract.ts'),
      import('../runner/run-conformance.ts'),
      import('../api/start-embedded-server.ts'),
      import('../runner/build-matrix.ts'),
      import('../runner/expected-deviations.ts'),
      import('../reports/index.ts'),
      import('../reports/render-matrix-html.ts'),
      import('../reports/render-matrix-markdown.ts'),
    ]);
    const manifestFlag = flags.manifest as string | undefined;
    const deviations =
      manifestFlag === 'none' ? undefined : loadExpectedDeviations(resolve(manifestFlag ?? SHIPPED_MANIFEST));
    const contract = await loadContract();
    const embedded = options.target === undefined;
    if (embedded && options.token === undefined)
      options = { ...options, token: `kvsc-${randomBytes(12).toString('hex')}` };
    const redact = (text: string): string => redactSecrets(text, options.token ? [options.token] : []);
    // A short token is redacted only where it stands alone: say so once, before any output.
    const warning = shortTokenWarning(options.token);
    if (warning !== undefined) console.error(warning);
    const server = embedded ? await startEmbeddedServer(contract, options) : undefined;
    const targetUrl = options.target ?? server?.url ?? '';
    try {
      const result = await runConformance(contract, options, targetUrl, undefined, undefined, {
        clientContract: true,
      });
      const report = buildReport({
        contract,
        result,
        harnessVersion: HARNESS_VERSION,
        preset: options.profile,
        seedSource: options.seedSource,
        shard: options.shard,
        embedded,
        reportPath: shownPath(join(out, REPORT_FILES.json)),
        redact,
        withToken: options.token !== undefined,
        rulesReference: { url: options.rulesUrl, file: RULES_REFERENCE_FILE },
      });
      const written = writeReportFiles(report, out);
      const matrix = buildMatrix({ ...result, targetUrl: redact(result.targetUrl) }, deviations);
      writeFileSync(join(out, MATRIX_FILES.json), redact(`${JSON.stringify(matrix, null, 2)}\n`));
      const markdown = redact(renderMatrixMarkdown(matrix));
      writeFileSync(join(out, MATRIX_FILES.markdown), markdown);
      const html = readFileSync(written.html, 'utf8');
      writeFileSync(
        written.html,
        html.replace('</body>', `${redact(renderMatrixHtmlSection(matrix))}</body>`),
      );
      console.log(markdown);
      console.log(
        `matrix: ${shownPath(join(out, MATRIX_FILES.markdown))}, ${shownPath(join(out, MATRIX_FILES.json))}`,
      );
      if (result.interrupted || result.runErrors.length > 0) {
        for (const error of result.runErrors) console.error(`  ${redact(error)}`);
        setExitCode(EXIT_CODES.toolError);
      } else {
        setExitCode(matrix.red > 0 ? EXIT_CODES.ruleFailed : EXIT_CODES.ok);
      }
    } finally {
      await server?.close();
    }
  });
}
