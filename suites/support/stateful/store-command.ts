import type fc from 'fast-check';
import { ContractViolationError, type KvsModel } from '../../../harness/index.ts';
import { MAX_SEQUENCE_STORES, type StoreCommandSpec } from '../../../generators/index.ts';
import { describeStoreCommand } from './describe-store-command.ts';
import { driverSkipReason, runDriverCommand } from './run-driver-command.ts';
import { runStoreCommand } from './run-store-command.ts';
import type { StatefulSystem } from './stateful-system.ts';

/**
 * One command of a sequence for fast-check's model runner. Precondition (`check`): a create only
 * while the sequence has fewer than MAX_SEQUENCE_STORES stores; every other command holds in any
 * state (the model says what a deleted store answers), so shrinking may drop any command.
 */
export class StoreCommand implements fc.AsyncCommand<KvsModel, StatefulSystem, false> {
  readonly spec: StoreCommandSpec;

  constructor(spec: StoreCommandSpec) {
    this.spec = spec;
  }

  check(model: Readonly<KvsModel>): boolean {
    return this.spec.op !== 'createStore' || model.stores.length < MAX_SEQUENCE_STORES;
  }

  async run(model: KvsModel, system: StatefulSystem): Promise<void> {
    await runStep(this.spec, model, system);
  }

  toString(): string {
    return describeStoreCommand(this.spec);
  }
}

/** Runs one step in the sequence's transcript; a failure carries the whole sequence. */
export async function runStep(
  spec: StoreCommandSpec,
  model: KvsModel,
  system: StatefulSystem,
): Promise<void> {
  const step = system.transcript.begin(describeStoreCommand(spec));
  const { driver } = system;
  const skipped = driver && driverSkipReason(spec, driver);
  if (skipped) {
    step.got = `skipped: ${skipped}`;
    return;
  }
  try {
    if (driver) await runDriverCommand(spec, model, system, driver, step);
    else await runStoreCommand(spec, model, system, step);
  } catch (error) {
    if (!(error instanceof ContractViolationError)) throw error;
    const failure =
      error.failure.evidence.sequence === undefined ? system.transcript.wrap(step, error) : error;
    // No cascades: a read leaves the store as it was, so a read that breaks a rule of another area
    // (a server without the zip download fails KVS-RECORD-011) fails that rule and the sequence
    // goes on; the sequence's own rules (KVS-STATE-*) and any change to the store stop it.
    if (
      READ_ONLY_COMMANDS.has(spec.op) &&
      !failure.failure.ruleId.startsWith('KVS-STATE-') &&
      system.api.recordViolation(failure.failure)
    )
      return;
    throw failure;
  }
}

/** Commands that change nothing on the target: a violation in their answer need not end the sequence. */
const READ_ONLY_COMMANDS: ReadonlySet<StoreCommandSpec['op']> = new Set([
  'getStore',
  'getStoreByName',
  'getRecord',
  'headRecord',
  'listKeys',
  'listStores',
  'downloadZip',
]);

/**
 * The sequence's setup: two stores (s0 named n0, s1 unnamed — named n1 through a driver that
 * cannot make unnamed stores), as steps 1 and 2 of its transcript.
 */
export async function setUpSequence(model: KvsModel, system: StatefulSystem): Promise<void> {
  await runStep({ op: 'createStore', name: 0 }, model, system);
  const unnamed = system.driver?.unsupported?.unnamedStore === undefined;
  await runStep({ op: 'createStore', name: unnamed ? null : 1 }, model, system);
}
