import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../proof/run-cli.ts';
import { ReplicatedStore, type ReplicatedStoreOptions } from '../../proof/truth/replicated-store.ts';
import { startServer } from '../../server/index.ts';

// `run --consistency eventual` against the replicated store of proof/ (a known truth): no failure
// when every change converges within the window, and the right rules fail when the store loses
// updates (no repair: a stale arrival wins) or truly resurrects deletes.
const LAG = { kind: 'exponential', meanMs: 30 } as const;

async function failedRules(
  store: ReplicatedStoreOptions,
  seed: number,
  suites: readonly string[] = ['CONS', 'KEYS', 'RECORD'],
): Promise<string[]> {
  const server = await startServer({ consistencyModel: new ReplicatedStore(store) });
  const out = mkdtempSync(join(tmpdir(), 'kvsc-replicated-sweep-'));
  try {
    const result = await runCli([
      'run',
      '--target',
      server.url,
      '--consistency',
      'eventual',
      '--window',
      '2s',
      ...suites.flatMap((suite) => ['--suite', suite]),
      '--runs',
      '3',
      '--seed',
      String(seed),
      '--out',
      out,
    ]);
    expect(result.code, result.stderr).not.toBe(2);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as {
      rules: { id: string; verdict: string }[];
    };
    return report.rules.filter((rule) => rule.verdict === 'fail').map((rule) => rule.id);
  } finally {
    await server.close();
  }
}

describe('run --consistency eventual against the replicated store', () => {
  it.concurrent('converging within the window: no failure', async () => {
    const failed = await failedRules(
      { replicas: 1, lag: LAG, repair: 'versioned', newKeys: 'immediate', seed: 3 },
      3,
    );
    expect(failed).toEqual([]);
  });

  it.concurrent(
    'three replicas, random routing, converging within the window: no failure (monotonic reads are not demanded by default)',
    async () => {
      const failed = await failedRules(
        { replicas: 3, lag: LAG, repair: 'versioned', newKeys: 'immediate', seed: 6 },
        6,
        ['CONS'],
      );
      expect(failed).toEqual([]);
    },
  );

  it.concurrent('no repair (a stale arrival wins for good): KVS-CONS-005 fails', async () => {
    const failed = await failedRules(
      { replicas: 3, lag: LAG, repair: 'none', newKeys: 'immediate', seed: 4 },
      4,
    );
    expect(failed).toContain('KVS-CONS-005');
  });

  it.concurrent('a delete truly resurrected after it settled: KVS-CONS-006 fails', async () => {
    const failed = await failedRules(
      { replicas: 1, lag: LAG, repair: 'versioned', newKeys: 'immediate', resurrectAfterMs: 400, seed: 5 },
      5,
    );
    expect(failed).toContain('KVS-CONS-006');
  });
});
