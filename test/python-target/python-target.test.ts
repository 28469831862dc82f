// A second, independent target (issue #21): a KVS API server written in Python from the public
// docs (test/python-target/kvs_server.py), with its own legitimate choices — UUID store ids,
// relative Location headers, 409 for a rename onto a taken name, no Brotli, no zip download, no
// pre-signed URLs. With those choices declared the built CLI passes it; without them, the report
// names exactly the declared gaps and nothing else.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../proof/run-cli.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const TOKEN = 'py-target-7f3c9a21d4e8b605';
/** The gaps the declared run states: two feature settings and one manifest entry. */
const DECLARATIONS = [
  '--content-encodings',
  'gzip,deflate',
  '--url-signing',
  'false',
  '--deviations',
  join(HERE, 'declared-deviations.yaml'),
];
/** The rules those declarations cover (KVS-SIGN-003/004 are judged after SIGN-001/002 set up a signature). */
const DECLARED_RULES = [
  'KVS-RECORD-005',
  'KVS-RECORD-011',
  // No brotli: apify-client sends its values of 1 KiB or more brotli-compressed.
  'KVS-RECORD-014',
  'KVS-SIGN-001',
  'KVS-SIGN-002',
  'KVS-SIGN-003',
  'KVS-SIGN-004',
  'KVS-SIGN-005',
];

interface ReportRule {
  readonly id: string;
  readonly verdict: string;
  readonly reasonKind: string | null;
}

let server: ChildProcess;
let target = '';

/** Starts the Python server on a free port and reads the URL it prints. */
function startPythonServer(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn('python3', [join(HERE, 'kvs_server.py'), '--port', '0', '--token', TOKEN], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let printed = '';
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`kvs_server.py exited with ${code}: ${printed}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      printed += chunk.toString();
      const url = /listening on (http:\/\/\S+)/.exec(printed)?.[1];
      if (url) resolve({ child, url });
    });
  });
}

async function run(flags: readonly string[]): Promise<{
  code: number | null;
  stdout: string;
  rules: ReportRule[];
  coverage: { operationId: string; observed: number[] }[];
}> {
  const out = mkdtempSync(join(tmpdir(), 'kvsc-python-'));
  const result = await runCli([
    'run',
    '--target',
    target,
    '--token',
    TOKEN,
    '--seed',
    '7',
    '--runs',
    '5',
    '--out',
    out,
    ...flags,
  ]);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as {
    rules: ReportRule[];
    coverage: { operationId: string; observed: number[] }[];
  };
  return { code: result.code, stdout: result.stdout, rules: report.rules, coverage: report.coverage };
}

/** Rules the run was asked to check that did not pass, with their verdicts. */
const notPassed = (rules: readonly ReportRule[]): Record<string, string> =>
  Object.fromEntries(
    rules
      .filter(
        (rule) => rule.verdict !== 'pass' && rule.reasonKind !== 'filter' && rule.reasonKind !== 'profile',
      )
      .map((rule) => [rule.id, rule.verdict]),
  );

describe('a KVS server in Python, written from the public docs', () => {
  beforeAll(async () => {
    const started = await startPythonServer();
    server = started.child;
    target = started.url;
  });
  afterAll(() => {
    server.removeAllListeners('exit');
    server.kill();
  });

  it('passes with its choices declared (feature settings and a deviation manifest)', async () => {
    const { code, stdout, rules } = await run(DECLARATIONS);
    expect({
      code,
      summary: stdout.split('\n').filter((line) => /^kvs-conformance: |✗|⏸/.test(line)),
    }).toMatchObject({
      code: 0,
    });
    expect(stdout).toMatch(
      /PASS WITH EXPECTED DEVIATIONS — \d+ of \d+ rules passed, 0 failed \(0 MUST\), 1 expected to fail/,
    );
    expect(notPassed(rules)).toEqual({ 'KVS-RECORD-011': 'expected-fail' });
    // A declared-absent feature skips its rules under the profile, never passes them; the codings
    // the server does decode are still checked.
    for (const id of ['KVS-SIGN-001', 'KVS-SIGN-002', 'KVS-SIGN-005'])
      expect(rules.find((rule) => rule.id === id)).toMatchObject({
        verdict: 'skipped',
        reasonKind: 'profile',
      });
    expect(rules.find((rule) => rule.id === 'KVS-RECORD-005')?.verdict).toBe('pass');
  });

  it('passes with every choice declared as a setting; the zip rule is skipped with its reason and the download never called', async () => {
    const { code, stdout, rules, coverage } = await run([
      '--content-encodings',
      'gzip,deflate',
      '--url-signing',
      'false',
      '--zip-download',
      'false',
    ]);
    expect({ code, verdict: /^kvs-conformance: (PASS[A-Z ]*?) —/m.exec(stdout)?.[1] }).toEqual({
      code: 0,
      verdict: 'PASS',
    });
    expect(rules.find((rule) => rule.id === 'KVS-RECORD-011')).toMatchObject({
      verdict: 'skipped',
      reasonKind: 'profile',
      reason: 'not applicable under zipDownload false (it needs zipDownload ∈ {true})',
    });
    expect(
      coverage.find((operation) => operation.operationId === 'keyValueStore_records_get')?.observed,
    ).toEqual([]);
  });

  it('without the declarations, the report names exactly the declared gaps', async () => {
    const { code, rules } = await run([]);
    expect(code).toBe(1);
    const gaps = notPassed(rules);
    expect(Object.keys(gaps).sort()).toEqual(DECLARED_RULES);
    expect(gaps['KVS-RECORD-005']).toBe('fail');
    expect(gaps['KVS-SIGN-001']).toBe('fail');
  });
});
