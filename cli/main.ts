import { Command, CommanderError } from 'commander';
import { addBenchCommand } from './bench-command.ts';
import { HarnessError } from '../harness/errors.ts';
import { HARNESS_VERSION } from '../harness/version.ts';
import { EXIT_CODES } from './exit-codes.ts';
import { addMatrixCommand } from './matrix-command.ts';
import { addReplayCommand } from './replay-command.ts';
import { addReportCommand } from './report-command.ts';
import { addRunCommand } from './run-command.ts';
import { addServeCommand } from './serve-command.ts';

/**
 * Runs the CLI with the given arguments (without `node` and the script) and returns the exit code.
 * Only commander and the command definitions load up front; each action imports what it needs
 * (vitest, the contract compiler, the server) when it runs, so `--help` and `--version` answer fast.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('kvs-conformance')
    .description('Contract and conformance test harness for the Apify Key-Value Store API (v2)')
    .version(HARNESS_VERSION, '-V, --version', 'print the version of kvs-conformance')
    .exitOverride()
    // Options belong to the command they follow (`contract --json` is not `contract diff --json`).
    .enablePositionalOptions()
    .configureOutput({
      writeErr: (text) => process.stderr.write(text),
      // Commander puts its suggestion ("Did you mean --target?") on a line of its own: one line it is.
      outputError: (text, write) => write(`kvs-conformance: ${text.trim().replace(/\s*\n\s*/g, ' ')}\n`),
    });
  let exitCode: number = EXIT_CODES.ok;

  addRunCommand(program, (code) => (exitCode = code));
  const contract = program
    .command('contract')
    .enablePositionalOptions()
    .description('show the contract: operations, rules per area, profile settings with their defaults')
    .option('--rules', 'show every rule with its sources, tests and faults (the content of docs/rules.md)')
    .option('--area <area>', 'with --rules: only this rule area, e.g. KEYS')
    .option('--json', 'with --rules: print the reference as JSON')
    .option('--settings', 'show every profile setting with its allowed values and default, and the presets')
    .action(async (flags: { rules?: boolean; area?: string; json?: boolean; settings?: boolean }) => {
      if (flags.settings) {
        const { describeSettings, readShippedProfiles } = await import('./describe-settings.ts');
        console.log(describeSettings(readShippedProfiles()));
        return;
      }
      if (!flags.rules) {
        if (flags.area !== undefined || flags.json)
          throw new HarnessError('KVSC_USAGE', '--area and --json go with --rules');
        const [{ loadContract }, { describeContract }] = await Promise.all([
          import('../harness/contract/load-contract.ts'),
          import('./describe-contract.ts'),
        ]);
        console.log(describeContract(await loadContract()));
        return;
      }
      const { describeRulesReference, readRulesReference, selectArea } = await import('./describe-rules.ts');
      const reference = selectArea(readRulesReference(), flags.area);
      console.log(flags.json ? JSON.stringify(reference, null, 2) : describeRulesReference(reference));
    });
  contract
    .command('diff <document>')
    .description(
      "compare an OpenAPI document (path or URL, e.g. Apify's published one) with the shipped contract; exit 1 on any difference the overlay does not explain",
    )
    .option('--json', 'print the differences as JSON')
    .action(async (document: string, flags: { json?: boolean }) => {
      const [{ loadContract }, { diffAgainstContract }, { contractDiffJson, describeContractDiff }] =
        await Promise.all([
          import('../harness/contract/load-contract.ts'),
          import('../harness/contract/diff-against-contract.ts'),
          import('./describe-contract-diff.ts'),
        ]);
      const diff = await diffAgainstContract(document, await loadContract());
      console.log(flags.json ? JSON.stringify(contractDiffJson(diff), null, 2) : describeContractDiff(diff));
      exitCode = diff.unexplained > 0 ? EXIT_CODES.ruleFailed : EXIT_CODES.ok;
    });
  addServeCommand(program);
  addReportCommand(program, (code) => (exitCode = code));
  addReplayCommand(program, (code) => (exitCode = code));
  addBenchCommand(program, (code) => (exitCode = code));
  addMatrixCommand(program, (code) => (exitCode = code));

  try {
    // Help lists each profile setting's allowed values and default, read from spec/profiles.yaml
    // (only then: a run does not pay for reading it twice).
    if (argv.some((arg) => arg === '--help' || arg === '-h' || arg === 'help')) {
      const { describeSettingFlags, readShippedProfiles } = await import('./describe-settings.ts');
      describeSettingFlags(program, readShippedProfiles());
    }
    await program.parseAsync(withoutHelpOfUnknownCommand(program, argv), { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.toolError;
    }
    if (error instanceof HarnessError) {
      console.error(`kvs-conformance: ${error.message}`);
      return EXIT_CODES.toolError;
    }
    // Every CLI error is one line: an error no check foresaw still says what failed, not a stack.
    console.error(`kvs-conformance: unexpected error: ${oneLine(error)}`);
    return EXIT_CODES.toolError;
  }
}

/**
 * The arguments without --help/-h when they name an unknown command (`client --help`): commander
 * would print the top-level help and exit 0; the command is unknown either way (exit 2).
 */
const withoutHelpOfUnknownCommand = (program: Command, argv: readonly string[]): readonly string[] => {
  const first = argv[0];
  if (first === undefined || first.startsWith('-') || first === 'help') return argv;
  const known = program.commands.some(
    (command) => command.name() === first || command.aliases().includes(first),
  );
  return known ? argv : argv.filter((arg) => arg !== '--help' && arg !== '-h');
};

const oneLine = (error: unknown): string =>
  (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).replace(/\s*\n\s*/g, ' ');
