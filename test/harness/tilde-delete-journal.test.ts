// A store this file created and deleted as `~name` is journaled as deleted: the file's clean-up
// does not send it a second, needless delete (five 404 deletes per default run before).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../proof/run-cli.ts';
import type { ConformanceReport } from '../../reports/index.ts';

describe('the cleanup journal and deletes through ~name', () => {
  it('KVS-NAME-008 deletes its stores as ~name: the suite file deletes none of them again', async () => {
    const out = mkdtempSync(join(tmpdir(), 'kvsc-tilde-delete-'));
    const result = await runCli([
      'run',
      '--seed',
      '1',
      '--runs',
      '5',
      '--rule',
      'KVS-NAME-008',
      '--out',
      out,
    ]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as ConformanceReport;
    expect(report.cleanup).toMatchObject({ left: [], problems: [] });
    expect(report.cleanup?.created).toBeGreaterThan(0);
    // Every store the file made was deleted by its test (as ~name): no request at the file's end.
    expect(report.requests?.suiteFiles).toBe(0);
  }, 300_000);
});
