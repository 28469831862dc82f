import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FAULT_MODES, startFaultyTarget } from '../../proof/faults/fault-modes.ts';
import { runCli } from '../../proof/run-cli.ts';

/** The project's own split document (relative $refs, YAML merge keys), as a user's --spec. */
const SPLIT = fileURLToPath(new URL('../contract/fixtures/split-openapi/openapi.yaml', import.meta.url));
const TOKEN = 'run-spec-token';

interface ReportFile {
  readonly verdict: string;
  readonly spec: { file: string; version: string; overlay: string; comparedAgainst: string };
  readonly rules: readonly { id: string; verdict: string }[];
}
const readReport = (dir: string): ReportFile =>
  JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as ReportFile;
const failed = (report: ReportFile): string[] =>
  report.rules.filter((rule) => rule.verdict === 'fail').map((rule) => rule.id);

describe('kvs-conformance run --spec', () => {
  it('passes against the reference server with the split document as base, and the report names it', async () => {
    const out = mkdtempSync(join(tmpdir(), 'kvsc-spec-'));
    const result = await runCli(['run', '--spec', SPLIT, '--runs', '2', '--seed', '7', '--out', out]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = readReport(out);
    expect(report.verdict).toBe('PASS');
    expect(report.spec.file).toMatch(/split-openapi[/\\]openapi\.yaml$/);
    expect(report.spec.comparedAgainst).toMatch(/^v2-/);
    expect(result.stdout).toContain(
      `+ overlay ${report.spec.overlay} (compared against ${report.spec.comparedAgainst})`,
    );
  });

  it('fails a faulty target on the same rules as the shipped contract does', async () => {
    const modes = FAULT_MODES.filter((mode) =>
      ['schema-store-without-modifiedAt', 'schema-record-delete-200'].includes(mode.name),
    );
    expect(modes).toHaveLength(2);
    for (const mode of modes) {
      const target = await startFaultyTarget(mode, TOKEN);
      try {
        const run = async (spec: readonly string[]): Promise<string[]> => {
          const out = mkdtempSync(join(tmpdir(), 'kvsc-spec-fault-'));
          const flags = ['--target', target.url, '--token', TOKEN, '--runs', '2', '--seed', '7'];
          const result = await runCli(['run', ...flags, '--suite', 'SCHEMA', '--out', out, ...spec]);
          expect(result.code).toBe(1);
          return failed(readReport(out));
        };
        const withShipped = await run([]);
        expect(withShipped).toEqual(expect.arrayContaining([...mode.targets]));
        expect(await run(['--spec', SPLIT])).toEqual(withShipped);
      } finally {
        await target.close();
      }
    }
  });
});
