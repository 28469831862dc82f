import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  renderConsoleSummary,
  renderHtmlReport,
  renderJsonReport,
  renderJunitReport,
  renderMarkdownSummary,
} from '../../reports/index.ts';
import { fixtureReport } from './report-fixture.ts';

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;
const { report, token } = await fixtureReport();
const renderings = {
  json: renderJsonReport(report),
  junit: renderJunitReport(report),
  markdown: renderMarkdownSummary(report),
  html: renderHtmlReport(report),
};

describe('report renderers', () => {
  it.each(Object.entries(renderings))('%s matches its snapshot', async (format, text) => {
    const extension = { json: 'json', junit: 'xml', markdown: 'md', html: 'html' }[format];
    await expect(text).toMatchFileSnapshot(`__snapshots__/report.${extension}`);
  });

  it('report.json validates against the JSON Schema in the repository', () => {
    const schema = JSON.parse(
      readFileSync(new URL('../../reports/conformance-report.schema.json', import.meta.url), 'utf8'),
    ) as object;
    const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    expect(validate(JSON.parse(renderings.json)), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...report, target: { url: 'http://x/?token=t', embedded: false } })).toBe(false);
    const cleanup = { deleted: 1, left: [{ id: '".."', reason: 'not a valid store id' }], problems: ['p'] };
    expect(validate({ ...report, cleanup }), JSON.stringify(validate.errors)).toBe(true);
  });

  it('junit.xml parses as XML, with one testcase per rule and counts that match the model', () => {
    expect(XMLValidator.validate(renderings.junit)).toBe(true);
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(
      renderings.junit,
    ) as {
      testsuites: {
        tests: string;
        failures: string;
        errors: string;
        skipped: string;
        testsuite: { testcase: { failure?: { type: string }; skipped?: unknown }[] };
      };
    };
    const cases = parsed.testsuites.testsuite.testcase;
    expect(cases).toHaveLength(report.rules.length);
    expect(Number(parsed.testsuites.tests)).toBe(report.totals.rules);
    expect(Number(parsed.testsuites.failures)).toBe(report.totals.fail);
    expect(cases.filter((testcase) => testcase.failure).map((testcase) => testcase.failure?.type)).toEqual([
      'KVS-KEYS-005',
    ]);
    // Rules asked for and not checked are errors (CI must not read them as fine); the rest are skips.
    expect(Number(parsed.testsuites.errors)).toBe(report.totals.inconclusive);
    expect(Number(parsed.testsuites.skipped)).toBe(report.totals.skipped + report.totals.expectedFail);
  });

  it('the rule counts partition the rules, the same in report.json, the verdict lines and the Markdown table', () => {
    const { totals } = report;
    const byVerdict = (verdict: string) => report.rules.filter((rule) => rule.verdict === verdict).length;
    expect(totals).toMatchObject({
      pass: byVerdict('pass'),
      fail: byVerdict('fail'),
      expectedFail: byVerdict('expected-fail'),
      unexpectedlyPassing: byVerdict('unexpectedly-passing'),
      inconclusive: byVerdict('inconclusive'),
      skipped: byVerdict('skipped'),
    });
    expect(
      totals.pass +
        totals.fail +
        totals.expectedFail +
        totals.unexpectedlyPassing +
        totals.inconclusive +
        totals.skipped,
    ).toBe(totals.rules);
    expect(totals.mustFail + totals.shouldFail).toBe(totals.fail);
    // A rule asked for and not checked is never `skipped`; a rule not asked for never `inconclusive`.
    for (const rule of report.rules) {
      if (rule.verdict === 'skipped') expect(['profile', 'filter', 'shard']).toContain(rule.reasonKind);
      if (rule.verdict === 'inconclusive')
        expect(['not-run', 'blocked', 'harness-error']).toContain(rule.reasonKind);
    }
    const headline = (text: string) => text.split('\n').find((line) => line.includes(' rules passed')) ?? '';
    const sum = (line: string) =>
      [...line.matchAll(/(?:—|,) (\d+) /g)].reduce((total, match) => total + Number(match[1]), 0);
    for (const text of [renderConsoleSummary(report, 'report.html'), renderings.markdown, renderings.html])
      expect(sum(headline(text))).toBe(totals.rules);
    const table = renderings.markdown.split('### Rules')[1]?.split('###')[0] ?? '';
    const rows = [...table.matchAll(/^\| [^|]+ \| (\d+) \|$/gm)].map((match) => Number(match[1]));
    expect(rows.reduce((total, n) => total + n, 0)).toBe(totals.rules);
  });

  it('the model strips credentials from the target and computes the consistency percentiles', () => {
    expect(report.target.url).toBe('http://127.0.0.1:8080');
    expect(report.consistency).toMatchObject({
      observations: 4,
      fresh: 1,
      toleratedStale: 3,
      maxStaleMs: 120,
      p50StaleMs: 40,
      staleReads: 6,
    });
    expect(report.totals).toMatchObject({ fail: 1, mustFail: 1 });
    expect(report.verdict).toBe('FAIL');
  });

  it('the consistency summary names the KVS-CONS rules that failed beside its count of observations past the window', () => {
    const failing = {
      ...report,
      rules: report.rules.map((rule) =>
        rule.id === 'KVS-CONS-003' ? { ...rule, verdict: 'fail' as const } : rule,
      ),
    };
    expect(renderMarkdownSummary(failing)).toMatch(
      /0 past the window\. Consistency rules failed: KVS-CONS-003\./,
    );
  });

  it('counts requests per test, per rule (a test citing two rules counts for each) and for the run', () => {
    expect(report.requests).toEqual({ total: 57 + 120 + 120 + 3 + 2, tests: 297, suiteFiles: 3, runner: 2 });
    const rule = (id: string) => report.rules.find((entry) => entry.id === id);
    expect(rule('KVS-KEYS-005')).toMatchObject({ requests: 57, tests: [{ requests: 57 }] });
    expect(rule('KVS-CONS-003')?.requests).toBe(120);
    expect(rule('KVS-CONS-006')?.requests).toBe(120);
    // A rule no test cited has no count to give.
    expect(rule('KVS-KEYS-008')?.requests).toBeUndefined();
    expect(renderings.markdown).toContain('297 by the tests, 3 by the suite files');
    expect(renderings.junit).toContain('<property name="requests.total" value="302"/>');
  });

  it.each(Object.entries(renderings))('%s never contains the token', (_format, text) => {
    expect(text).not.toContain(token);
  });

  it('the failing case carries its replay command, seed, path and shrunk counterexample', () => {
    const failure = report.rules.find((rule) => rule.id === 'KVS-KEYS-005')?.failures[0];
    expect(failure).toMatchObject({
      seed: 42,
      path: '2:0:1',
      shrinks: 5,
      counterexample: { text: '[["a","b"],1]', data: [['a', 'b'], 1] },
      replay: 'kvs-conformance replay out/report.json --rule KVS-KEYS-005',
    });
    expect(failure?.exchanges[0]?.curl).toContain('$APIFY_TOKEN');
  });
});
