import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../proof/run-cli.ts';

// Two seeds per profile keep the gate in budget; `npm run prove` sweeps 20 seeds × both profiles.
const SEEDS = [11, 22];
const PROFILES: [string, string[]][] = [
  ['strong', []],
  // The embedded server's staleness is a quarter of the window at most: well inside it.
  ['eventual', ['--consistency', 'eventual', '--window', '2s']],
];

describe('no false positives: the whole conformance project passes against the reference server', () => {
  it.each(PROFILES)('under %s, for 2 seeds', async (_profile, flags) => {
    const results = [];
    // Two runs at a time: one per core.
    for (let i = 0; i < SEEDS.length; i += 2) {
      results.push(
        ...(await Promise.all(
          SEEDS.slice(i, i + 2).map((seed) =>
            runCli([
              'run',
              '--seed',
              String(seed),
              '--runs',
              '5',
              '--out',
              mkdtempSync(join(tmpdir(), 'kvsc-sweep-')),
              ...flags,
            ]),
          ),
        )),
      );
    }
    for (const [index, result] of results.entries()) {
      const summary = result.stdout.split('\n').filter((line) => /^kvs-conformance: |✗|\[KVS-/.test(line));
      expect({ seed: SEEDS[index], code: result.code, summary }).toMatchObject({ code: 0 });
      expect(result.stdout).toMatch(/PASS — \d+ of \d+ rules passed, 0 failed/);
    }
  });
});
