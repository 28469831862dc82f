import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServer } from '../../server/index.ts';
import type { ConformanceReport } from '../../reports/index.ts';
import { startFaultProxy, type Fault } from '../../proof/faults/fault-proxy.ts';
import { runCli } from '../../proof/run-cli.ts';
import { HARNESS_VERSION } from '../../harness/version.ts';
import { ensureChromium, headlessFlags } from '../../scripts/ensure-chromium.ts';

const TOKEN = 'report-cli-token';
const tempDir = (label: string): string => mkdtempSync(join(tmpdir(), `kvsc-${label}-`));
const readReport = (dir: string): ConformanceReport =>
  JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as ConformanceReport;

/** Records lose their Content-Type on the way out: a RECORD-family bug. */
const losesContentType: Fault = (answer) =>
  answer.method === 'GET' && /\/records\/[^/?]+/.test(answer.path) && answer.status === 200
    ? { ...answer, headers: { ...answer.headers, 'content-type': 'application/octet-stream' } }
    : answer;

/** A faulty target (a proxy in front of the reference server) for the duration of `body`. */
async function withFaultyTarget<T>(
  fault: Fault,
  body: (urls: { faulty: string; clean: string }) => Promise<T>,
): Promise<T> {
  const server = await startServer({ tokens: [TOKEN] });
  const proxy = await startFaultProxy(server.url, fault);
  try {
    return await body({ faulty: proxy.url, clean: server.url });
  } finally {
    await proxy.close();
    await server.close();
  }
}

const chromium = ensureChromium();

/** A RECORD-suite run against a faulty target, writing its reports into `out`. */
const runFaulty = (target: string, out: string) =>
  runCli([
    'run',
    '--target',
    target,
    '--token',
    TOKEN,
    '--suite',
    'RECORD',
    '--runs',
    '10',
    '--seed',
    '3',
    '--out',
    out,
  ]);

describe('the reports of a run against a faulty target', () => {
  it('are written as report.json, junit.xml, summary.md and report.html, with the HTML path printed', async () => {
    const out = tempDir('reports');
    await withFaultyTarget(losesContentType, async ({ faulty }) => {
      const result = await runFaulty(faulty, out);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain(`report: ${join(out, 'report.html')}`);
    });
    const report = readReport(out);
    expect(report.verdict).toBe('FAIL');
    // The failure found over the wire carries its exchanges (a failure through an in-process
    // client driver may carry none: the driver makes its own requests).
    expect(
      report.rules
        .find((rule) => rule.id === 'KVS-RECORD-001')
        ?.failures.some((failure) => failure.exchanges.length > 0),
    ).toBe(true);
    for (const file of ['report.json', 'junit.xml', 'summary.md', 'report.html']) {
      expect(readFileSync(join(out, file), 'utf8')).not.toContain(TOKEN);
    }
  });

  it('report.html renders in headless Chromium and shows the failed rules (screenshot kept in test/artifacts)', async (context) => {
    if (!('path' in chromium)) {
      context.skip(chromium.reason);
      return;
    }
    const out = tempDir('html');
    await withFaultyTarget(losesContentType, ({ faulty }) => runFaulty(faulty, out));
    const page = `file://${join(out, 'report.html')}`;
    const dom = execFileSync(chromium.path, [...headlessFlags(tempDir('chromium')), '--dump-dom', page], {
      encoding: 'utf8',
      timeout: 60_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    expect(dom).toContain('kvs-conformance: FAIL');
    // Each failed rule links to its entry in the rules reference and to the public sources it rests on.
    const entry = `https://github.com/kvs-conformance/kvs-conformance/blob/v${HARNESS_VERSION}/docs/rules.md#kvs-record-001`;
    expect(dom).toContain(`data-verdict="fail"><td><a href="${entry}"><b>KVS-RECORD-001</b></a>`);
    const contract = dom.slice(dom.indexOf('id="contract-kvs-record-001"'));
    expect(contract).toContain('href="https://docs.apify.com/api/v2/key-value-store-record-get"');
    expect(dom).toContain('Replay only this failure');
    const artifacts = join(process.cwd(), 'test', 'artifacts');
    mkdirSync(artifacts, { recursive: true });
    const screenshot = join(artifacts, 'report-failing-target.png');
    const flags = [
      ...headlessFlags(tempDir('chromium')),
      '--window-size=1280,1800',
      `--screenshot=${screenshot}`,
      page,
    ];
    execFileSync(chromium.path, flags, { timeout: 60_000, stdio: 'ignore' });
    expect(readFileSync(screenshot).subarray(1, 4).toString()).toBe('PNG');
  });

  it('replay says STILL FAILING against the same faulty target and FIXED against a fixed one', async () => {
    const out = tempDir('replay');
    await withFaultyTarget(losesContentType, async ({ faulty, clean }) => {
      await runFaulty(faulty, out);
      const again = await runCli([
        'replay',
        join(out, 'report.json'),
        '--rule',
        'KVS-RECORD-001',
        '--target',
        faulty,
        '--token',
        TOKEN,
      ]);
      expect(again.code).toBe(1);
      expect(again.stdout).toMatch(/STILL FAILING\s+KVS-RECORD-001/);
      const fixed = await runCli([
        'replay',
        join(out, 'report.json'),
        '--rule',
        'KVS-RECORD-001',
        '--target',
        clean,
        '--token',
        TOKEN,
      ]);
      expect(fixed.code).toBe(0);
      expect(fixed.stdout).toMatch(/FIXED\s+KVS-RECORD-001/);
    });
  });
});

describe('sharded runs', () => {
  it('two shards merged give the same totals as the unsharded run of the same seed', async () => {
    const [one, two, merged, whole] = ['shard1', 'shard2', 'merged', 'whole'].map(tempDir) as [
      string,
      string,
      string,
      string,
    ];
    const common = ['--seed', '99', '--runs', '3'];
    const results = await Promise.all([
      runCli(['run', ...common, '--shard', '1/2', '--out', one]),
      runCli(['run', ...common, '--shard', '2/2', '--out', two]),
    ]);
    expect(results.map((result) => result.code)).toEqual([0, 0]);
    expect((await runCli(['run', ...common, '--out', whole])).code).toBe(0);
    const merge = await runCli(['report', '--merge', one, two, '--out', merged]);
    expect(merge.code).toBe(0);
    const [sharded, unsharded] = [readReport(merged), readReport(whole)];
    expect(readReport(one).totals.tests).toBeLessThan(unsharded.totals.tests);
    expect(sharded.totals).toEqual(unsharded.totals);
    expect(sharded.rules.map((rule) => [rule.id, rule.verdict])).toEqual(
      unsharded.rules.map((rule) => [rule.id, rule.verdict]),
    );
  });

  it('refuses to merge reports of different seeds, naming both', async () => {
    const [a, b] = [tempDir('seed-a'), tempDir('seed-b')];
    await Promise.all([
      runCli(['run', '--seed', '1', '--runs', '1', '--suite', 'PAGE', '--out', a]),
      runCli(['run', '--seed', '2', '--runs', '1', '--suite', 'PAGE', '--out', b]),
    ]);
    const merge = await runCli(['report', '--merge', a, b, '--out', tempDir('merge')]);
    expect(merge.code).toBe(2);
    expect(merge.stderr).toContain('seeds differ: 1 and 2');
  });
});
