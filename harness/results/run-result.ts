// What a run hands to the reports (types only; the run itself is `runner/`).
import type { ProfileSettings } from '../contract/profile-catalog.ts';
import type { DriverInfo } from '../drivers/kvs-driver.ts';
import type { RunStoreTarget } from '../drivers/run-store.ts';
import type { RecordCleanup } from '../isolation/delete-run-records.ts';
import type { CleanupResult } from '../isolation/delete-run-stores.ts';
import type { EarlierJournal } from '../isolation/earlier-run-journals.ts';
import type { RuleVerdict, TestOutcome } from './rule-verdict.ts';

/** Everything a run found. */
export interface RunResult {
  readonly targetUrl: string;
  readonly settings: ProfileSettings;
  readonly seed: number;
  readonly runs: number;
  /** The stateful suite's longest command sequence. */
  readonly maxCommands?: number;
  readonly storePrefix: string;
  /** The drivers the client rule families ran through: name, package, version. */
  readonly drivers: readonly DriverInfo[];
  readonly startedAt: Date;
  readonly durationMs: number;
  readonly verdicts: readonly RuleVerdict[];
  readonly outcomes: readonly TestOutcome[];
  /** Errors outside any test; a run with any is a tool error (exit 2). */
  readonly runErrors: readonly string[];
  readonly cleanup: CleanupResult;
  /** Journals of earlier runs into the same folder, killed before their cleanup: what became of them. */
  readonly earlierRuns?: readonly EarlierJournal[];
  /**
   * Requests sent outside the tests (each test's own are in its evidence): by the suite files'
   * set-up and clean-up, and by the runner (the target check before the suites, the last cleanup).
   */
  readonly requests?: { readonly suiteFiles: number; readonly runner: number };
  /** True when the run was stopped by SIGINT/SIGTERM. */
  readonly interrupted: boolean;
  /** Under --run-id: the run's default store checked, and the cleanup of the records written there. */
  readonly runStore?: RunStoreTarget & { readonly cleanup: RecordCleanup };
}
