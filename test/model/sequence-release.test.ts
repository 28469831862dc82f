// A stateful sequence hands the stores it made to its release when it ends, passed or failed, so a
// long property does not pile stores up on the target (#28: flat memory, short store lists).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HttpApi,
  HttpClient,
  type KvsModel,
  loadContract,
  modelSettingsOf,
  resolveProfileSettings,
  type Contract,
} from '../../harness/index.ts';
import { STORE_NAME_POOL_SIZE, storeCommandArbitraries } from '../../generators/index.ts';
import { startServer, type RunningServer } from '../../server/index.ts';
import { runSequence, sequenceSetup } from '../../suites/support/stateful/sequence-setup.ts';
import type { StatefulSystem } from '../../suites/support/stateful/stateful-system.ts';
import { StoreCommand } from '../../suites/support/stateful/store-command.ts';

const TOKEN = 'sequence-release-token';

describe('runSequence', () => {
  let contract: Contract;
  let target: RunningServer;
  let client: HttpClient;
  let api: HttpApi;
  beforeAll(async () => {
    contract = await loadContract();
    target = await startServer({ tokens: [TOKEN] });
    client = new HttpClient({
      baseUrl: target.url,
      token: TOKEN,
      timeoutMs: 30_000,
      maxResponseBytes: 1 << 22,
      connections: 2,
    });
    api = new HttpApi(contract, client);
  });
  afterAll(async () => {
    await client.close();
    await target.close();
  });

  const settings = (): ReturnType<typeof modelSettingsOf> =>
    modelSettingsOf(resolveProfileSettings(contract.profiles, {}), contract);
  const names = (serial: number): string[] =>
    Array.from({ length: STORE_NAME_POOL_SIZE }, (_, i) => `release-${serial}-n${i}`);
  /** Deletes the stores handed over and remembers their ids. */
  const releasing = (released: string[]) => async (ids: readonly string[]) => {
    released.push(...ids);
    for (const storeId of ids) await api.call('keyValueStore_delete', { storeId, unchecked: true });
  };
  const storesOnTarget = async (): Promise<string[]> =>
    (await api.call('keyValueStores_get', { query: { unnamed: 1 } }))
      .json<{ data: { items: { id: string }[] } }>()
      .data.items.map((store) => store.id);

  it('hands every store of a passed sequence to its release, and none is left on the target', async () => {
    const commands = fc.commands(
      storeCommandArbitraries(contract.limits).map((arbitrary) =>
        arbitrary.map((spec) => new StoreCommand(spec)),
      ),
      { maxCommands: 30, size: 'max' },
    );
    const sequences = fc.sample(commands, { numRuns: 5, seed: 28 });
    for (const [index, sequence] of sequences.entries()) {
      const released: string[] = [];
      await runSequence(sequenceSetup(api, names(index), settings()), sequence, releasing(released));
      // Every sequence starts with two stores of its own.
      expect(released.length).toBeGreaterThanOrEqual(2);
    }
    expect(await storesOnTarget()).toEqual([]);
  });

  it('releases the stores of a sequence that throws, and the error still reaches fast-check', async () => {
    const failing: fc.AsyncCommand<KvsModel, StatefulSystem, false> = {
      check: () => true,
      run: () => Promise.reject(new Error('the command failed')),
      toString: () => 'failing()',
    };
    const released: string[] = [];
    await expect(
      runSequence(sequenceSetup(api, names(99), settings()), [failing], releasing(released)),
    ).rejects.toThrow('the command failed');
    expect(released).toHaveLength(2);
    expect(await storesOnTarget()).toEqual([]);
  });
});
