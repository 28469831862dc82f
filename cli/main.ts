import { Command, CommanderError } from 'commander';
import { HarnessError } from '../harness/errors.ts';
import { loadContract } from '../harness/contract/load-contract.ts';
import { describeContract } from './describe-contract.ts';
import { EXIT_CODES } from './exit-codes.ts';
import { addMatrixCommand } from './matrix-command.ts';
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
    .action(async () => console.log(describeContract(await loadContract())));
  addServeCommand(program);
  addReportCommand(program, (code) => (exitCode = code));
  addReplayCommand(program, (code) => (exitCode = code));
  addMatrixCommand(program, (code) => (exitCode = code));

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
