import type { CheckedContractFiles } from '../contract/load-contract.ts';
import type { ProfileSettings } from '../contract/profile-catalog.ts';
import type { RuleId } from '../contract/rule-ids.ts';
import type { DriverSpec } from '../drivers/driver-registry.ts';
import type { RunStoreTarget } from '../drivers/run-store.ts';
import type { TestEvidence } from './test-evidence.ts';
// vitest's task types (TaskMeta, augmented below) are complete only with its node-side types loaded;
// a type-only import, erased from the JavaScript.
import type {} from 'vitest/node';

/** What the runner hands every suite file (through vitest's provide/inject): serializable only. */
export interface SuiteContext {
  readonly targetUrl: string;
  readonly token: string | undefined;
  readonly settings: ProfileSettings;
  readonly seed: number;
  readonly runs: number;
  /** The stateful suite's longest command sequence (`--max-commands`). */
  readonly maxCommands: number;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  readonly concurrency: number;
  /** Every store name a run creates starts with it. */
  readonly storePrefix: string;
  /** Where suites journal the stores they create, for cleanup. */
  readonly journalFile: string;
  /** The contract's files as the run's main process parsed and checked them (not parsed again). */
  readonly contractFiles: CheckedContractFiles;
  /** The drivers the client rule families run through (`--driver`), resolved. */
  readonly drivers: readonly DriverSpec[];
  /**
   * Whether the client-contract checks (area CLIENT, answers served by a local scripted server) run: they judge
   * client libraries, not the target, so `run` checks them only when asked and `matrix` always.
   */
  readonly clientContract: boolean;
  /**
   * Whether the drivers are clients under test (given with `--driver`, or `matrix`), not the default
   * ones checking the target: then the client families also run a client's edges (empty values,
   * bytes that are not UTF-8), which a known client bug must not fail a server's run on.
   */
  readonly clientsUnderTest?: boolean;
  /**
   * Under `--run-id`: the run's default store, resolved once; every store a test is handed is a
   * key namespace in it (RunStoreViews), reached through the alias paths.
   */
  readonly runStore?: RunStoreTarget;
  /** For replay: the fast-check path of the recorded counterexample (with the recorded seed). */
  readonly replayPath?: string;
  /** For replay of a command sequence: fast-check's `replayPath` of `fc.commands` from the counterexample. */
  readonly replayCommandsPath?: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    kvsRun: SuiteContext;
  }
  export interface TaskMeta {
    kvsEvidence?: TestEvidence;
    /** The rules a suite test checks, declared with `cites(…)` (harness/worker/cites.ts). */
    kvsRules?: readonly RuleId[];
    /** The driver a client-family test runs through, declared with `cites.through(…)`. */
    kvsDriver?: string;
    /** On a suite file: the requests it sent outside any test (its set-up and its store clean-up). */
    kvsFileRequests?: number;
  }
}
