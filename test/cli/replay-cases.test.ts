// `replay` as a stranger's CI uses it (their findings): every recorded case of a rule is replayed
// with its own verdict; an unknown --rule is refused as `run` refuses it; failures a run declared
// with --expect-fail are replayed and said to be expected, and that run's console shows them as
// expected (no red "Failed Tests" block); a run that ends on a tool error leaves junit.xml naming
// the error in --out, never the token.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { FAULT_MODES, startFaultyTarget } from '../../proof/faults/fault-modes.ts';
import { runCli } from '../../proof/run-cli.ts';
import type { ConformanceReport } from '../../reports/index.ts';
import { startServer } from '../../server/index.ts';

const TOKEN = 'replay-cases-token-5b1f07';
const mode = FAULT_MODES.find((candidate) => candidate.name === 'keys-last-cursor-omitted');
if (!mode) throw new Error('test bug: no fault mode keys-last-cursor-omitted');
const faulty = await startFaultyTarget(mode, TOKEN);
const correct = await startServer({ tokens: [TOKEN] });
afterAll(async () => {
  await faulty.close();
  await correct.close();
});

const env = { APIFY_TOKEN: TOKEN };
const base = mkdtempSync(join(tmpdir(), 'kvsc-replay-cases-'));
const runFlags = ['--target', faulty.url, '--rule', 'KVS-KEYS-005', '--runs', '2', '--seed', '3'];
const readReport = (dir: string): ConformanceReport =>
  JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as ConformanceReport;
/** The verdict lines of a replay: `VERDICT  RULE  “test”`. */
const verdictLines = (stdout: string): string[] =>
  stdout
    .split('\n')
    .filter((line) => /^ {2}(STILL FAILING|FIXED|NOT RUN|FAILING ON ANOTHER RULE) {2}/.test(line));

describe('replay of a report with several recorded cases', () => {
  const out = join(base, 'failing');

  it('replays every recorded case with its own verdict: still failing on the faulty target, fixed on a correct one', async () => {
    const run = await runCli(['run', ...runFlags, '--out', out], env);
    expect(run.code, run.stderr).toBe(1);
    const cases = readReport(out).rules.find((rule) => rule.id === 'KVS-KEYS-005')?.failures ?? [];
    expect(cases.length).toBeGreaterThan(1);

    const still = await runCli(['replay', join(out, 'report.json'), '--rule', 'KVS-KEYS-005'], env);
    expect(still.code, still.stdout + still.stderr).toBe(1);
    const stillLines = verdictLines(still.stdout);
    expect(stillLines).toHaveLength(cases.length);
    for (const [index, line] of stillLines.entries())
      expect(line).toBe(`  STILL FAILING  KVS-KEYS-005  “${cases[index]?.test ?? ''}”`);
    expect(still.stdout).toContain(`replay: ${cases.length} recorded case(s): ${cases.length} still failing`);

    const fixed = await runCli(
      ['replay', join(out, 'report.json'), '--rule', 'KVS-KEYS-005', '--target', correct.url],
      env,
    );
    expect(fixed.code, fixed.stdout + fixed.stderr).toBe(0);
    expect(verdictLines(fixed.stdout)).toEqual(
      cases.map((failure) => `  FIXED  KVS-KEYS-005  “${failure.test}”`),
    );
    expect(fixed.stdout).not.toContain(TOKEN);
  });

  it('refuses a --rule that is not in the catalog as run does (KVSC_USAGE, with what is allowed)', async () => {
    const replay = await runCli(['replay', join(out, 'report.json'), '--rule', 'KVS-KEYS-999'], env);
    const run = await runCli(['run', '--rule', 'KVS-KEYS-999', '--out', join(base, 'unknown-rule')], env);
    for (const refused of [replay, run]) {
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(
        'KVSC_USAGE: --rule KVS-KEYS-999 is not in the catalog (spec/rules.yaml); allowed: a rule of KEYS: KVS-KEYS-001,',
      );
    }
    expect(replay.stdout).not.toContain('records no failure');
  });
});

describe('failures declared with --expect-fail', () => {
  const out = join(base, 'expected');

  it('show as expected in the run console and are replayed, said to be expected', async () => {
    const run = await runCli(['run', ...runFlags, '--expect-fail', 'KVS-KEYS-005', '--out', out], env);
    expect(run.code, run.stderr).toBe(0);
    const console = stripVTControlCharacters(run.stdout + run.stderr);
    expect(console).not.toContain('Failed Tests');
    expect(console).toMatch(/Tests\s+.*\d+ expected fail/);
    expect(console).not.toContain('Enable verbose mode');
    expect(console).toContain('PASS WITH EXPECTED DEVIATIONS');
    const cases = readReport(out).rules.find((rule) => rule.id === 'KVS-KEYS-005')?.failures ?? [];
    expect(cases.length).toBeGreaterThan(0);

    const replay = await runCli(['replay', join(out, 'report.json')], env);
    expect(replay.stdout).not.toContain('records no failure');
    expect(verdictLines(replay.stdout)).toHaveLength(cases.length);
    expect(
      replay.stdout.match(/expected to fail \(--expect-fail: declared with --expect-fail\)/g),
    ).toHaveLength(cases.length);
    // Still failing as declared: what the run's own exit code accepted.
    expect(replay.code, replay.stdout + replay.stderr).toBe(0);
  });
});

describe('a run that ends on a tool error (exit 2)', () => {
  it('leaves junit.xml with one errored testcase naming the error in --out, no stale report, never the token', async () => {
    const closed = await startServer();
    const url = closed.url;
    await closed.close();
    const out = join(base, 'unreachable');
    mkdirSync(out);
    // What an earlier run left there must not be read as this run's.
    writeFileSync(join(out, 'report.json'), '{"verdict":"PASS"}');
    const run = await runCli(['run', '--target', url, '--out', out], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('KVSC_TARGET_UNREACHABLE');
    expect(readdirSync(out)).toEqual(['junit.xml']);
    const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
    expect(junit).toMatch(/<testsuites name="kvs-conformance" tests="1" failures="0" errors="1"/);
    expect(junit).toContain(
      `<error type="KVSC_TARGET_UNREACHABLE" message="KVSC_TARGET_UNREACHABLE: cannot reach ${url}`,
    );
    expect(junit).not.toContain(TOKEN);
  });

  it('creates no folder when the options themselves are wrong (nothing was started)', async () => {
    const out = join(base, 'bad-flag');
    const run = await runCli(['run', '--runs', 'many', '--out', out], env);
    expect(run.code).toBe(2);
    expect(existsSync(out)).toBe(false);
  });
});
