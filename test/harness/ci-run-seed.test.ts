import { describe, expect, it } from 'vitest';
import { CI_RUN_ID_VARIABLES, ciRunSeed } from '../../harness/config/ci-run-seed.ts';
import { resolveRunOptions } from '../../harness/config/resolve-run-options.ts';

describe('the seed of a sharded run', () => {
  it('is the same for every shard of one CI run and differs between runs', () => {
    const first = ciRunSeed({ GITHUB_RUN_ID: '9876543210' });
    expect(first).toEqual(ciRunSeed({ GITHUB_RUN_ID: '9876543210', GITHUB_JOB: 'shard-2' }));
    expect(first?.variable).toBe('GITHUB_RUN_ID');
    expect(first?.seed).not.toBe(ciRunSeed({ GITHUB_RUN_ID: '9876543211' })?.seed);
    expect(first?.seed).toBeGreaterThanOrEqual(0);
    expect(first?.seed).toBeLessThan(2 ** 31);
  });

  it.each(CI_RUN_ID_VARIABLES)('comes from %s where that CI sets it', (variable) => {
    expect(ciRunSeed({ [variable]: 'run-17' })?.variable).toBe(variable);
  });

  it('is not derived outside CI (no run id, or an empty one)', () => {
    expect(ciRunSeed({})).toBeUndefined();
    expect(ciRunSeed({ GITHUB_RUN_ID: '' })).toBeUndefined();
  });

  it("is the CI run's for a shard without a seed, and says so", () => {
    const ciSeed = ciRunSeed({ CI_PIPELINE_ID: '123' });
    const options = resolveRunOptions({ flags: { shard: '2/2' }, env: {}, ciSeed });
    expect(options).toMatchObject({ seed: ciSeed?.seed, seedSource: 'CI_PIPELINE_ID' });
  });

  it('is the given one when given, whatever the CI run', () => {
    const ciSeed = ciRunSeed({ GITHUB_RUN_ID: '1' });
    expect(resolveRunOptions({ flags: { shard: '1/2', seed: '5' }, env: {}, ciSeed })).toMatchObject({
      seed: 5,
      seedSource: 'flag',
    });
    expect(resolveRunOptions({ flags: { shard: '1/2' }, env: { seed: '6' }, ciSeed })).toMatchObject({
      seed: 6,
      seedSource: 'environment',
    });
  });

  it('is random for an unsharded run without a seed, and says so', () => {
    expect(resolveRunOptions({ flags: {}, env: {} }).seedSource).toBe('random');
  });

  it('must be given for a shard outside CI: the error says what to pass', () => {
    expect(() => resolveRunOptions({ flags: { shard: '1/2' }, env: {} })).toThrow(
      /KVSC_USAGE: --shard 1\/2 needs a seed all shards share: pass the same --seed N/,
    );
  });
});
