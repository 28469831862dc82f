import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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
  readonly spec: { file: string; version: string; overlay: string; comparedAgainst: string; given?: string };
  readonly rules: readonly { id: string; verdict: string; failures: readonly { replay: string }[] }[];
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
      const replays = { shipped: [] as string[], given: [] as string[] };
      try {
        const run = async (spec: readonly string[]): Promise<string[]> => {
          const out = mkdtempSync(join(tmpdir(), 'kvsc-spec-fault-'));
          const flags = ['--target', target.url, '--token', TOKEN, '--runs', '2', '--seed', '7'];
          const result = await runCli(['run', ...flags, '--suite', 'SCHEMA', '--out', out, ...spec]);
          expect(result.code).toBe(1);
          const report = readReport(out);
          expect(report.spec.given).toBe(spec.length > 0 ? SPLIT : undefined);
          (spec.length > 0 ? replays.given : replays.shipped).push(
            ...report.rules.flatMap((rule) => rule.failures.map((failure) => failure.replay)),
          );
          return failed(report);
        };
        const withShipped = await run([]);
        expect(withShipped).toEqual(expect.arrayContaining([...mode.targets]));
        expect(await run(['--spec', SPLIT])).toEqual(withShipped);
        expect(replays.shipped.length).toBeGreaterThan(0);
        for (const replay of replays.shipped) expect(replay).not.toContain('--spec');
        // A failure found with --spec replays against the same document (#23).
        for (const replay of replays.given)
          expect(replay).toMatch(/ --spec \S*split-openapi[/\\]openapi\.yaml$/);
      } finally {
        await target.close();
      }
    }
  });

  it('replays a report of a --spec run against that document (report.spec.given)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'kvsc-spec-replay-'));
    const run = await runCli(['run', '--suite', 'SCHEMA', '--runs', '1', '--seed', '7', '--out', out]);
    expect(run.code).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Record<string, unknown> & {
      spec: Record<string, unknown>;
      rules: { verdict: string; failures: unknown[] }[];
    };
    // One recorded failure, and a base the run was "given" that does not exist: replay must read it.
    const missing = join(out, 'no-such-openapi.yaml');
    report.spec = { ...report.spec, given: missing };
    const [rule] = report.rules;
    if (!rule) throw new Error('the report has no rule');
    rule.verdict = 'fail';
    rule.failures = [{ test: 'a recorded failure', seed: 7, path: null, counterexample: null }];
    writeFileSync(join(out, 'report.json'), JSON.stringify(report));
    const replay = await runCli(['replay', join(out, 'report.json')]);
    expect(replay.code).toBe(2);
    expect(replay.stderr).toContain('no-such-openapi.yaml');
  });
});
