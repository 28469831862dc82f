import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  loadConfigFile,
  resolveRunOptions,
  runOptionsFromEnv,
  SHIPPED_DEVIATIONS,
} from '../../harness/config/resolve-run-options.ts';

import { DEFAULT_RUNS } from '../../harness/config/run-options.ts';
import { HARNESS_VERSION } from '../../harness/version.ts';

describe('resolveRunOptions', () => {
  it('takes flags over environment over config file over defaults', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kvsc-config-'));
    writeFileSync(
      join(dir, 'kvs-conformance.config.json'),
      JSON.stringify({ runs: 7, seed: 1, out: 'from-file', settings: { consistency: 'eventual' } }),
    );
    const file = await loadConfigFile(undefined, dir);
    const options = resolveRunOptions({
      flags: { seed: '3' },
      env: runOptionsFromEnv({ KVS_CONFORMANCE_SEED: '2', KVS_CONFORMANCE_RUNS: '9', APIFY_TOKEN: 't' }),
      ...(file ? { file } : {}),
    });
    expect(options).toMatchObject({
      seed: 3,
      runs: 9,
      out: 'from-file',
      token: 't',
      settings: { consistency: 'eventual' },
    });
  });

  it('links reports to docs/rules.md at this version by default, to --rules-url (without fragment) when given', () => {
    expect(resolveRunOptions({ flags: {}, env: {} }).rulesUrl).toBe(
      `https://github.com/kvs-conformance/kvs-conformance/blob/v${HARNESS_VERSION}/docs/rules.md`,
    );
    const env = runOptionsFromEnv({ KVS_CONFORMANCE_RULES_URL: 'https://docs.example.org/rules.md#top' });
    expect(resolveRunOptions({ flags: {}, env }).rulesUrl).toBe('https://docs.example.org/rules.md');
    expect(() => resolveRunOptions({ flags: { rulesUrl: 'docs/rules.md' }, env: {} })).toThrow(
      'rulesUrl (flag) is "docs/rules.md"; allowed: an http(s):// or file:// URL of docs/rules.md',
    );
  });

  it('fills defaults and parses durations, shards and lists', () => {
    const options = resolveRunOptions({
      flags: { timeoutMs: '2s', shard: '2/3', seed: '7', suite: ['page', 'KEYS'] },
      env: {},
    });
    expect(options).toMatchObject({
      runs: DEFAULT_RUNS,
      timeoutMs: 2000,
      shard: { index: 2, count: 3 },
      suite: ['PAGE', 'KEYS'],
    });
  });

  it.each([
    [{ runs: '0' }, 'runs (flag) is "0"; allowed: a whole number ≥ 1'],
    [{ shard: '3/2' }, 'allowed: i/n with 1 ≤ i ≤ n'],
    [{ timeoutMs: 'soon' }, 'timeoutMs (flag) is "soon"; allowed: a duration such as 500ms, 10s or 2m'],
    [{ target: 'ftp://x' }, 'allowed: an http:// or https:// base URL'],
    [{ rule: ['KVS-PAGE-1'] }, 'rule "KVS-PAGE-1" is not a rule id'],
    [{ expectFail: ['RECORD-005'] }, 'expectFail (flag) "RECORD-005" is not a rule id'],
    [{ deviations: ['/no/such/manifest.yaml'] }, 'deviations (flag): /no/such/manifest.yaml does not exist'],
  ])('rejects %j naming the source, the value and what is allowed', (flags, message) => {
    expect(() => resolveRunOptions({ flags, env: {} })).toThrow(message);
  });

  it('applies the shipped deviation manifest by default, adds given ones, and none leaves it out', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kvsc-deviations-'));
    const mine = join(dir, 'mine.yaml');
    writeFileSync(mine, 'drivers: {}\n');
    const resolve = (deviations?: string[]) =>
      resolveRunOptions({ flags: deviations ? { deviations } : {}, env: {} }).deviations;
    expect(resolve()).toEqual([SHIPPED_DEVIATIONS]);
    expect(resolve([mine])).toEqual([SHIPPED_DEVIATIONS, mine]);
    expect(resolve(['none', mine])).toEqual([mine]);
    expect(
      resolveRunOptions({
        flags: {},
        env: runOptionsFromEnv({ KVS_CONFORMANCE_EXPECT_FAIL: 'KVS-RECORD-005' }),
      }).expectFail,
    ).toEqual(['KVS-RECORD-005']);
  });

  it('names the config file when it is not valid JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kvsc-config-'));
    writeFileSync(join(dir, 'kvs-conformance.config.json'), '{ runs: 3');
    await expect(loadConfigFile(undefined, dir)).rejects.toThrow(
      /kvs-conformance\.config\.json cannot be read/,
    );
  });
});
