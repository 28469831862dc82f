// The model agrees with the reference server (which shares no code with it) on long random
// command sequences, in both consistency profiles: every answer of a few hundred-command
// sequences is one the model allows. A disagreement is a bug in one of the two.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HttpApi,
  HttpClient,
  loadContract,
  modelSettingsOf,
  resolveProfileSettings,
  type Contract,
} from '../../harness/index.ts';
import { STORE_NAME_POOL_SIZE, storeCommandArbitraries } from '../../generators/index.ts';
import { startServer, type RunningServer } from '../../server/index.ts';
import { sequenceSetup } from '../../suites/support/stateful/sequence-setup.ts';
import { StoreCommand } from '../../suites/support/stateful/store-command.ts';

const TOKEN = 'model-agreement-token';
const PROFILES = [
  // The server's staleness (200 ms) is well inside the model's window (2 s).
  { profile: 'strong', server: { mode: 'strong' as const }, overrides: {} },
  {
    profile: 'eventual',
    server: { mode: 'eventual' as const, staleMs: 200, seed: 7 },
    overrides: { consistency: 'eventual', consistencyWindowMs: 2000 },
  },
];

describe.each(PROFILES)(
  'the model agrees with the reference server under $profile',
  ({ server, overrides }) => {
    let contract: Contract;
    let target: RunningServer;
    let client: HttpClient;
    let serial = 0;
    beforeAll(async () => {
      contract = await loadContract();
      target = await startServer({ tokens: [TOKEN], consistency: server });
      client = new HttpClient({
        baseUrl: target.url,
        token: TOKEN,
        timeoutMs: 30_000,
        maxResponseBytes: 1 << 22,
        connections: 2,
      });
    });
    afterAll(async () => {
      await client.close();
      await target.close();
    });

    it('on 4 random sequences of up to 300 commands over 2-4 stores', async () => {
      const api = new HttpApi(contract, client);
      const settings = modelSettingsOf(resolveProfileSettings(contract.profiles, { overrides }), contract);
      const commands = fc.commands(
        storeCommandArbitraries(contract.limits).map((arbitrary) =>
          arbitrary.map((spec) => new StoreCommand(spec)),
        ),
        { maxCommands: 300, size: 'max' },
      );
      await fc.assert(
        fc.asyncProperty(commands, async (sequence) => {
          serial += 1;
          const names = Array.from({ length: STORE_NAME_POOL_SIZE }, (_, i) => `agree-${serial}-n${i}`);
          await fc.asyncModelRun(sequenceSetup(api, names, settings), sequence);
        }),
        { numRuns: 4, seed: 22 },
      );
      expect(serial).toBeGreaterThanOrEqual(4);
    }, 120_000);
  },
);
