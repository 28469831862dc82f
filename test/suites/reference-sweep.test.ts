import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../proof/run-cli.ts';

// The gate's share of the clean sweep: one seed per profile (a different one each), the profiles
// at once. The full sweep, 20 seeds × the strong and eventual profiles, is `npm run prove`.
const PROFILES: [string, number, string[]][] = [
  ['strong', 11, []],
  // The embedded server's staleness is a quarter of the window at most: well inside it.
  ['eventual', 22, ['--consistency', 'eventual', '--window', '2s']],
  // The platform's own choices (17-character ids, {} write bodies, the client's not-found types,
  // request-too-large, Location on every 201), which the reference server makes too.
  ['apify', 33, ['--profile', 'apify']],
];

describe('no false positives: the whole conformance project passes against the reference server', () => {
  it.concurrent.each(PROFILES)('under %s, seed %i', async (_profile, seed, flags) => {
    const result = await runCli([
      'run',
      '--seed',
      String(seed),
      '--runs',
      '5',
      '--out',
      mkdtempSync(join(tmpdir(), 'kvsc-sweep-')),
      ...flags,
    ]);
    const summary = result.stdout.split('\n').filter((line) => /^kvs-conformance: |✗|\[KVS-/.test(line));
    expect({ seed, code: result.code, summary }).toMatchObject({ code: 0 });
    expect(result.stdout).toMatch(/PASS — \d+ of \d+ rules passed, 0 failed/);
  });
});
