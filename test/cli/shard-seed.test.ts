import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CI_RUN_ID_VARIABLES } from '../../harness/config/ci-run-seed.ts';
import { runCli } from '../../proof/run-cli.ts';

const tempDir = (): string => mkdtempSync(join(tmpdir(), 'kvsc-shard-'));
const report = (dir: string) =>
  JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as {
    run: { seed: number; seedSource: string };
  };

describe('kvs-conformance run --shard in CI', () => {
  it('shards of one CI run agree on the seed without --seed, and their reports merge', async () => {
    // A GitHub Actions run as the README's recipe runs it: the same GITHUB_RUN_ID in every shard job.
    const ci = {
      ...Object.fromEntries(CI_RUN_ID_VARIABLES.map((name) => [name, ''])),
      GITHUB_RUN_ID: '4711',
    };
    const [one, two, merged] = [tempDir(), tempDir(), tempDir()];
    const shards = await Promise.all([
      runCli(['run', '--shard', '1/2', '--runs', '1', '--suite', 'PAGE', '--out', one], ci),
      runCli(['run', '--shard', '2/2', '--runs', '1', '--suite', 'PAGE', '--out', two], ci),
    ]);
    expect(shards.map((shard) => shard.code)).toEqual([0, 0]);
    expect(report(one).run).toMatchObject({ seed: report(two).run.seed, seedSource: 'GITHUB_RUN_ID' });
    const merge = await runCli(['report', '--merge', one, two, '--out', merged]);
    expect(merge.stderr).toBe('');
    expect(merge.code).toBe(0);
    expect(report(merged).run).toMatchObject({ seed: report(one).run.seed, seedSource: 'GITHUB_RUN_ID' });
  });
});
