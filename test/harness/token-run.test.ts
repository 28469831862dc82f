// A run with a 1-character token (`--token T`, issue #21): every output is unmangled and the token
// never appears; the replay commands carry `--token "$APIFY_TOKEN"` and replay with it; a replay
// with a wrong token says the token was refused.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FAULT_MODES, startFaultyTarget } from '../../proof/faults/fault-modes.ts';
import { runCli, type CliResult } from '../../proof/run-cli.ts';
import type { ConformanceReport } from '../../reports/index.ts';

const TOKEN = 'T';
const fault = FAULT_MODES.find((mode) => mode.name === 'schema-location-wrong-resource');
if (!fault) throw new Error('test bug: no fault mode schema-location-wrong-resource');
const target = await startFaultyTarget(fault, TOKEN);
afterAll(() => target.close());

const out = mkdtempSync(join(tmpdir(), 'kvsc-token-run-'));
const run: CliResult = await runCli([
  'run',
  '--target',
  target.url,
  '--token',
  TOKEN,
  '--suite',
  'SCHEMA',
  '--suite',
  'AUTH',
  '--seed',
  '7',
  '--runs',
  '3',
  '--out',
  out,
]);
const files = ['report.json', 'junit.xml', 'summary.md', 'report.html'].map((name) => [
  name,
  readFileSync(join(out, name), 'utf8'),
]);
const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as ConformanceReport;
const outputs: [string, string][] = [['stdout', run.stdout], ['stderr', run.stderr], ...files] as [
  string,
  string,
][];

/** The token standing as a token of its own: what must never be left in any output. */
const STANDALONE_TOKEN = /(?<![A-Za-z0-9_-])T(?![A-Za-z0-9_-])/;

describe('a run with a 1-character token', () => {
  it('fails only the planted rule and warns once about the short token', () => {
    expect(run.code, run.stderr).toBe(1);
    expect(report.rules.filter((rule) => rule.verdict === 'fail').map((rule) => rule.id)).toEqual([
      'KVS-SCHEMA-005',
    ]);
    expect(run.stderr.match(/warning: the token is 1 character\(s\) long/g)).toHaveLength(1);
  });

  it.each(outputs.map(([name]) => name))('%s: the token never appears, nothing is mangled', (name) => {
    const text = outputs.find(([candidate]) => candidate === name)?.[1] ?? '';
    expect(text).not.toMatch(STANDALONE_TOKEN);
    expect(text).not.toMatch(/\$APIFY_\$APIFY|POS\$APIFY|\$APIFY_TOKENOKEN/);
  });

  it('curl lines keep their method and carry the placeholder for the token', () => {
    const curls = report.rules.flatMap((rule) =>
      rule.failures.flatMap((f) => f.exchanges.map((e) => e.curl)),
    );
    expect(curls.length).toBeGreaterThan(0);
    for (const curl of curls) {
      expect(curl).toMatch(/-X POST|-X PUT|curl -i/);
      expect(curl).toContain('Bearer $APIFY_TOKEN');
    }
    expect(report.target.url).toBe(target.url);
  });

  it('the replay command carries --token "$APIFY_TOKEN" and replays the failure with it', async () => {
    const failure = report.rules.find((rule) => rule.id === 'KVS-SCHEMA-005')?.failures[0];
    expect(failure?.replay).toMatch(/ --rule KVS-SCHEMA-005 --token "\$APIFY_TOKEN"$/);
    const replay = await runCli(['replay', join(out, 'report.json'), '--rule', 'KVS-SCHEMA-005'], {
      APIFY_TOKEN: TOKEN,
    });
    expect(replay.code, replay.stdout + replay.stderr).toBe(1);
    expect(replay.stdout).toContain('STILL FAILING  KVS-SCHEMA-005');
    expect(replay.stdout).not.toMatch(STANDALONE_TOKEN);
  });

  it('a replay with a wrong token or none says the token was refused, not that the target is unreachable', async () => {
    const wrong = await runCli(['replay', join(out, 'report.json'), '--rule', 'KVS-SCHEMA-005'], {
      APIFY_TOKEN: 'wrong-token-123',
    });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain(`KVSC_TOKEN_REFUSED: ${target.url} refused the token`);
    expect(wrong.stderr).not.toContain('KVSC_TARGET_UNREACHABLE');
    const none = await runCli(['replay', join(out, 'report.json'), '--rule', 'KVS-SCHEMA-005']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('refused a request without a token');
  });
});
