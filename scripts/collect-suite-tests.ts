import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createVitest } from 'vitest/node';
import { loadContract } from '../harness/contract/load-contract.ts';
import { resolveProfileSettings } from '../harness/contract/profile-catalog.ts';
import type { SuiteTest } from '../harness/contract/rules-reference.ts';
import { DEFAULT_DRIVERS } from '../harness/config/run-options.ts';
import { resolveDriverSpec } from '../harness/drivers/driver-registry.ts';
import type { SuiteContext } from '../harness/worker/suite-context.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/**
 * Every test of suites/*.test.ts with the rules its meta declares (`cites`, harness/worker/rule-test.ts),
 * as vitest collects them (the files are loaded, no test runs and no request is sent). The run
 * context asks for every optional family (a token, the client contract, clients under test) so
 * that every test registers; a test run once per driver is listed once, its driver shown as
 * `[driver]`. Fails on a test that declares no rules, on one whose title does not start with the
 * rules it declares, or on a suite file that does not load.
 */
export async function collectSuiteTests(): Promise<SuiteTest[]> {
  const contract = await loadContract();
  const context: SuiteContext = {
    // Never contacted: collecting runs no test.
    targetUrl: 'http://127.0.0.1:9/',
    token: 'collect-only-token',
    settings: resolveProfileSettings(contract.profiles, {}),
    seed: 1,
    runs: 1,
    maxCommands: 1,
    timeoutMs: 1_000,
    maxResponseBytes: 1_000_000,
    concurrency: 1,
    storePrefix: 'kvsc-collect-',
    journalFile: join(tmpdir(), 'kvsc-collect-journal.jsonl'),
    contractFiles: contract.files,
    drivers: DEFAULT_DRIVERS.map((name) => resolveDriverSpec(name, ROOT)),
    clientContract: true,
    clientsUnderTest: true,
  };
  const cacheDir = mkdtempSync(join(tmpdir(), 'kvsc-collect-'));
  const vitest = await createVitest(
    'test',
    {
      root: ROOT,
      config: false,
      include: ['suites/*.test.ts'],
      exclude: [],
      setupFiles: ['suites/setup.ts'],
      isolate: false,
      fileParallelism: false,
      cache: false,
      watch: false,
      reporters: [],
      provide: { kvsRun: context },
    },
    { cacheDir },
  );
  try {
    const { testModules, unhandledErrors } = await vitest.collect();
    const problems = [
      ...unhandledErrors.map(String),
      ...testModules.flatMap((module) =>
        module.errors().map((error) => `${module.relativeModuleId}: ${error.message}`),
      ),
    ];
    const tests = new Map<string, SuiteTest>();
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const { kvsRules, kvsDriver } = test.meta();
        const file = module.relativeModuleId;
        if (!kvsRules?.length) {
          problems.push(
            `${file}: "${test.name}" declares no rules (title it with its rule ids, or cites(…))`,
          );
          continue;
        }
        // The title starts with the declared ids for people (and vitest's name filter): never others.
        if (!test.name.startsWith(`${kvsRules.join(' ')} `))
          problems.push(
            `${file}: "${test.name}" does not start with the rules its meta declares (${kvsRules.join(' ')})`,
          );
        const title = kvsDriver === undefined ? test.name : test.name.replace(`[${kvsDriver}]`, '[driver]');
        tests.set(`${file}\n${title}`, { file, title, rules: kvsRules });
      }
    }
    if (problems.length > 0) throw new Error(`collecting the suite tests failed:\n${problems.join('\n')}`);
    return [...tests.values()].sort((a, b) => a.file.localeCompare(b.file));
  } finally {
    await vitest.close();
    rmSync(cacheDir, { recursive: true, force: true });
  }
}
