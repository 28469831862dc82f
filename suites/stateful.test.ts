// KVS-STATE: random command sequences over every store and record operation, each answer checked
// against the model of the contract (harness/contract/model), shrunk to the shortest failing sequence.
import fc from 'fast-check';
import { describe, it as vitestIt } from 'vitest';
import {
  cites,
  it,
  modelSettingsOf,
  useConformance,
  type KvsDriver,
  type RuleId,
  type StoreInfo,
} from '../harness/index.ts';
import {
  caseBatchArbitrary,
  checkBatch,
  concurrentStreamsArbitrary,
  STORE_NAME_POOL_SIZE,
  storeCommandArbitraries,
  type StoreCommandSpec,
} from '../generators/index.ts';
import { runConcurrentStreams } from './support/stateful/run-concurrent-streams.ts';
import { driverSkipReason } from './support/stateful/run-driver-command.ts';
import { runSequence, sequenceSetup } from './support/stateful/sequence-setup.ts';
import { StoreCommand } from './support/stateful/store-command.ts';

const kvs = await useConformance('state');
const { api, contract, settings, context } = kvs;
const modelSettings = modelSettingsOf(settings, contract);
/**
 * Concurrent scenarios per run at most: 10, or 3 under eventual, where each waits out the window
 * before its last reads.
 */
const CONCURRENT_RUNS = modelSettings.windowMs > 0 ? 3 : 10;
/**
 * The scenarios run four at a time, side by side, each on a store of its own: a scenario's streams
 * pause (up to 20 ms before a command) and, under eventual, wait out the window, and those waits
 * overlap within a batch instead of adding up. Always four, so a run checks at least
 * CONCURRENT_RUNS scenarios (12 or 4), and eight streams at once stay within the HTTP client's
 * eight connections (--concurrency's default), so no command waits for a connection another
 * scenario holds. The check is per store and per key, against each operation's own start and end:
 * a neighbouring scenario can neither explain nor hide a misfit.
 */
const SCENARIO_BATCH = { maxCases: 4, minCases: 4 };
/** Sequences per client driver at most (a matrix runs several drivers). */
const DRIVER_RUNS = 10;
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
  it('KVS-STATE-001 KVS-STATE-002 KVS-CONS-001 KVS-NAME-001 KVS-NAME-002 KVS-NAME-004 KVS-NAME-005 KVS-NAME-007 KVS-NAME-008 KVS-NAME-009 KVS-RECORD-001 KVS-RECORD-002 KVS-RECORD-003 KVS-RECORD-004 KVS-RECORD-009 KVS-RECORD-010 KVS-RECORD-011 KVS-RECORD-013 KVS-NOTFOUND-001 KVS-NOTFOUND-002 KVS-NOTFOUND-003 KVS-NOTFOUND-004 KVS-NOTFOUND-007 KVS-KEYS-001 KVS-KEYS-002 KVS-KEYS-003 KVS-KEYS-004 KVS-KEYS-005 KVS-KEYS-006 KVS-KEYS-007 KVS-KEYS-008 KVS-KEYS-009 KVS-PAGE-001 KVS-PAGE-005 KVS-PAGE-006 every answer of a random command sequence over 2–4 stores is one the model allows', async () => {
    await fc.assert(
      fc.asyncProperty(commands, async (sequence) => {
        // Fresh names per sequence: sequences (and their shrinks) never meet on the target.
        const names = Array.from({ length: STORE_NAME_POOL_SIZE }, (_, i) => kvs.storeName(`n${i}`));
        await runSequence(sequenceSetup(api, names, modelSettings), sequence, kvs.releaseStores);
      }),
    );
  });
});

describe('KVS-STATE: two command streams at once', () => {
  // MAX_STREAM_COMMANDS (generators/concurrent-streams-arbitrary.ts) bounds each stream at 6.
  it('KVS-STATE-002 two streams of up to 6 commands each on shared records fit an interleaving the model allows', async () => {
    await fc.assert(
      fc.asyncProperty(caseBatchArbitrary(concurrentStreamsArbitrary(), SCENARIO_BATCH), async (scenarios) =>
        checkBatch(scenarios, async (scenario) => {
          const store = await kvs.newStore('race');
          await runConcurrentStreams(api, store.id, scenario, modelSettings);
        }),
      ),
      { numRuns: Math.ceil(Math.min(context.runs, CONCURRENT_RUNS) / SCENARIO_BATCH.maxCases) },
    );
  });
});

/** The rules a driver's sequences judge: the HTTP sequences' rules the driver can express. */
function driverSequenceRules(driver: KvsDriver): RuleId[] {
  const unsupported = driver.unsupported ?? {};
  const rules: [string, boolean][] = [
    ['KVS-STATE-001 KVS-STATE-002 KVS-NAME-001 KVS-NAME-002', true],
    ['KVS-NAME-004', unsupported.unnamedStore === undefined],
    ['KVS-NAME-005', true],
    ['KVS-NAME-007', unsupported.renameStore === undefined],
    ['KVS-NAME-008', true],
    ['KVS-NAME-009', unsupported.renameStore === undefined],
    ['KVS-RECORD-001 KVS-RECORD-002 KVS-RECORD-003 KVS-RECORD-009 KVS-RECORD-010', true],
    ['KVS-RECORD-013', unsupported.renameStore === undefined],
    ['KVS-NOTFOUND-002 KVS-NOTFOUND-004 KVS-NOTFOUND-005 KVS-NOTFOUND-007', true],
    ['KVS-KEYS-001 KVS-KEYS-002 KVS-KEYS-003 KVS-KEYS-004 KVS-KEYS-005 KVS-KEYS-006', true],
    ['KVS-KEYS-007', unsupported.keyPrefix === undefined],
    ['KVS-KEYS-008 KVS-KEYS-009', true],
    ['KVS-PAGE-001', unsupported.storeList === undefined],
    [
      'KVS-PAGE-005 KVS-PAGE-006',
      unsupported.storeList === undefined && unsupported.storeListPaging === undefined,
    ],
  ];
  return rules.flatMap(([ids, judged]) => (judged ? (ids.split(' ') as RuleId[]) : []));
}

/** What the driver's sequences leave out, and why (shown in the test's title, so in the report). */
function driverSkips(driver: KvsDriver): string {
  const reasons = new Map<string, string>();
  const probe: [string, StoreCommandSpec][] = [
    ['zip downloads', { op: 'downloadZip', store: 0 }],
    ['store lists', { op: 'listStores', desc: false, unnamed: false }],
    ['unnamed creates', { op: 'createStore', name: null }],
    ['renames', { op: 'renameStore', store: 0, name: 0 }],
    ['renames to no name', { op: 'renameStore', store: 0, name: null }],
    [
      'key listings with a prefix',
      { op: 'listKeys', store: 0, limit: undefined, exclusiveStartKey: undefined, prefix: 'a' },
    ],
  ];
  for (const [what, spec] of probe) {
    const reason = driverSkipReason(spec, driver);
    if (reason !== undefined) reasons.set(what, reason);
  }
  reasons.set('POST writes', 'the driver writes a record one way (setRecord)');
  return [...reasons].map(([what, reason]) => `${what} (${reason})`).join('; ');
}

// The same sequences through each client driver under test (`matrix`, `--driver`): the library is
// judged by the same model. A command the driver cannot express is skipped; the title says which.
// Side by side (describe.concurrent): each driver's sequences work on stores of their own.
const clientDrivers =
  context.clientsUnderTest === true ? kvs.drivers.filter((driver) => driver !== kvs.http) : [];
describe.concurrent('KVS-STATE: command sequences through client drivers', () => {
  for (const driver of clientDrivers) {
    const rules = driverSequenceRules(driver);
    vitestIt(
      `${rules.join(' ')} [${driver.name}] random command sequences through the driver are ones the model allows; skipped: ${driverSkips(driver)}`,
      cites(rules, driver.name),
      async () => {
        const track = (store: StoreInfo): void => {
          if (driver.info.transport === 'http') kvs.track(store);
        };
        await fc.assert(
          fc.asyncProperty(commands, async (sequence) => {
            const names = Array.from({ length: STORE_NAME_POOL_SIZE }, (_, i) => kvs.storeName(`d${i}`));
            await runSequence(
              sequenceSetup(api, names, modelSettings, { driver, track }),
              sequence,
              kvs.releaseStores,
            );
          }),
          { numRuns: Math.min(context.runs, DRIVER_RUNS) },
        );
      },
    );
  }
});
