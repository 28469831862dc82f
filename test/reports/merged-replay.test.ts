import { describe, expect, it } from 'vitest';
import { mergeReports } from '../../reports/index.ts';
import { fixtureReport } from './report-fixture.ts';

describe('the merged report of a sharded run', () => {
  it('points its replay commands at the merged report, not at the shards', async () => {
    const { report } = await fixtureReport();
    const shard = (index: number) => ({ ...report, run: { ...report.run, shard: { index, count: 2 } } });
    const merged = mergeReports([shard(1), shard(2)], 'merged/report.json');
    const failures = merged.rules.flatMap((rule) =>
      rule.failures.map((failure) => [rule.id, failure.replay]),
    );
    expect(failures.length).toBeGreaterThan(0);
    for (const [ruleId, replay] of failures)
      expect(replay).toBe(`kvs-conformance replay merged/report.json --rule ${ruleId}`);
    expect(report.rules.flatMap((rule) => rule.failures)[0]?.replay).toContain('out/report.json');
  });

  it('keeps the base a --spec run was given in the replay commands (spec.given)', async () => {
    const { report } = await fixtureReport();
    const given = { ...report, spec: { ...report.spec, given: '/docs/apify openapi.yaml' } };
    const merged = mergeReports([given, given], 'merged/report.json');
    const replays = merged.rules.flatMap((rule) => rule.failures.map((failure) => failure.replay));
    expect(replays.length).toBeGreaterThan(0);
    for (const replay of replays) expect(replay).toMatch(/ --spec '\/docs\/apify openapi\.yaml'$/);
  });
});
