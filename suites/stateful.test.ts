// KVS-STATE: random command sequences over every store and record operation, each answer checked
// against the model of the contract (harness/contract/model), shrunk to the shortest failing sequence.
import fc from 'fast-check';
import { describe } from 'vitest';
import { modelSettingsOf, useConformance, it } from '../harness/index.ts';
import { STORE_NAME_POOL_SIZE, storeCommandArbitraries } from '../generators/index.ts';
import { sequenceSetup } from './support/stateful/sequence-setup.ts';
import { StoreCommand } from './support/stateful/store-command.ts';

const kvs = await useConformance('state');
const { api, contract, settings, context } = kvs;
const modelSettings = modelSettingsOf(settings, contract);
const commands = fc.commands(
  storeCommandArbitraries(contract.limits).map((arbitrary) =>
    arbitrary.map((spec) => new StoreCommand(spec)),
  ),
  // size max: lengths spread evenly up to maxCommands (the default size keeps them near 5).
  {
    maxCommands: context.maxCommands,
    size: 'max',
    // A replay runs exactly the recorded sequence (fast-check's record of the commands that ran).
    ...(context.replayCommandsPath === undefined ? {} : { replayPath: context.replayCommandsPath }),
  },
);

describe('KVS-STATE: command sequences against the model', () => {
  it('KVS-STATE-001 KVS-STATE-002 KVS-NAME-001 KVS-NAME-002 KVS-NAME-004 KVS-NAME-005 KVS-NAME-007 KVS-NAME-008 KVS-NAME-009 KVS-RECORD-001 KVS-RECORD-002 KVS-RECORD-003 KVS-RECORD-004 KVS-RECORD-009 KVS-RECORD-010 KVS-RECORD-011 KVS-RECORD-013 KVS-NOTFOUND-001 KVS-NOTFOUND-002 KVS-NOTFOUND-003 KVS-NOTFOUND-004 KVS-NOTFOUND-007 KVS-KEYS-001 KVS-KEYS-002 KVS-KEYS-003 KVS-KEYS-004 KVS-KEYS-005 KVS-KEYS-006 KVS-KEYS-007 KVS-KEYS-008 KVS-KEYS-009 KVS-PAGE-001 KVS-PAGE-005 KVS-PAGE-006 every answer of a random command sequence over 2–4 stores is one the model allows', async () => {
    await fc.assert(
      fc.asyncProperty(commands, async (sequence) => {
        // Fresh names per sequence: sequences (and their shrinks) never meet on the target.
        const names = Array.from({ length: STORE_NAME_POOL_SIZE }, (_, i) => kvs.storeName(`n${i}`));
        await fc.asyncModelRun(sequenceSetup(api, names, modelSettings), sequence);
      }),
    );
  });
});
