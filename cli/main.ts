import { Command, CommanderError } from 'commander';
import { addBenchCommand } from './bench-command.ts';
import { HarnessError } from '../harness/errors.ts';
import { loadContract } from '../harness/contract/load-contract.ts';
import { describeContract } from './describe-contract.ts';
import { describeRulesReference, readRulesReference, selectArea } from './describe-rules.ts';
import { EXIT_CODES } from './exit-codes.ts';
import { addReplayCommand } from './replay-command.ts';
import { addReportCommand } from './report-command.ts';
import { addRunCommand } from './run-command.ts';
import { addServeCommand } from './serve-command.ts';

/** Runs the CLI with the given arguments (without `node` and the script) and returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('kvs-conformance')
    .description('Contract and conformance test harness for the Apify Key-Value Store API (v2)')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  let exitCode: number = EXIT_CODES.ok;

  addRunCommand(program, (code) => (exitCode = code));
  program
    .command('contract')
    .description('show the contract: operations, rules per area, profile settings with their defaults')
    .option('--rules', 'show every rule with its sources, tests and faults (the content of docs/rules.md)')
    .option('--area <area>', 'with --rules: only this rule area, e.g. KEYS')
    .option('--json', 'with --rules: print the reference as JSON')
    .action(async (flags: { rules?: boolean; area?: string; json?: boolean }) => {
      if (!flags.rules) {
        if (flags.area !== undefined || flags.json)
          throw new HarnessError('KVSC_USAGE', '--area and --json go with --rules');
        console.log(describeContract(await loadContract()));
        return;
      }
      const reference = selectArea(readRulesReference(), flags.area);
      console.log(flags.json ? JSON.stringify(reference, null, 2) : describeRulesReference(reference));
    });
  addServeCommand(program);
  addReportCommand(program, (code) => (exitCode = code));
  addReplayCommand(program, (code) => (exitCode = code));
  addBenchCommand(program, (code) => (exitCode = code));

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.toolError;
    }
    if (error instanceof HarnessError) {
      console.error(`kvs-conformance: ${error.message}`);
      return EXIT_CODES.toolError;
    }
    throw error;
  }
}
