import { join } from 'node:path';
import type { Command } from 'commander';
import { HarnessError } from '../harness/errors.ts';
import { DEFAULT_OUT } from '../harness/config/run-options.ts';
import { ensureOutDir } from '../harness/config/ensure-out-dir.ts';
import { exitCodeFor } from './exit-codes.ts';
import { shownPath } from './cli-session.ts';

/** `kvs-conformance report --merge DIR…`: one report from the reports of a sharded run. */
export function addReportCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('report')
    .description('merge the reports of a sharded run (--shard i/n) into one')
    .requiredOption('--merge <dirs...>', 'the output folders (or report.json files) of the shards')
    .option('--out <dir>', `where to write the merged report (default ${DEFAULT_OUT})`, DEFAULT_OUT)
    .option('--strict', 'exit 1 on PASS WITH WARNINGS (a SHOULD rule failed)')
    .action(async (flags: { merge: string[]; out: string; strict?: boolean }) => {
      const [
        { readReportFile },
        { mergeReports, ReportMergeError, renderConsoleSummary, REPORT_FILES, writeReportFiles },
      ] = await Promise.all([import('./read-report-file.ts'), import('../reports/index.ts')]);
      const reports = flags.merge.map(readReportFile);
      const out = ensureOutDir(flags.out);
      let merged;
      try {
        merged = mergeReports(reports, shownPath(join(out, REPORT_FILES.json)));
      } catch (error) {
        if (error instanceof ReportMergeError)
          throw new HarnessError('KVSC_USAGE', `report --merge: ${error.message}`);
        throw error;
      }
      const written = writeReportFiles(merged, out);
      console.log(renderConsoleSummary(merged, shownPath(written.html)));
      setExitCode(exitCodeFor(merged.verdict, flags.strict ?? false));
    });
}
