import type { Command } from 'commander';
import { addBenchConsistencyCommand } from './bench-consistency-command.ts';

/** `kvs-conformance bench`: measurements of a target, one subcommand per benchmark. */
export function addBenchCommand(program: Command, setExitCode: (code: number) => void): void {
  const bench = program
    .command('bench')
    .description('benchmark a target (no pass/fail per rule; numbers with uncertainty)');
  addBenchConsistencyCommand(bench, setExitCode);
}
