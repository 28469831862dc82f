// `run --run-id` (#23 item 3): the store-scoped rules run in a run's default store through the
// alias paths. Against the reference server the run passes and leaves the store and its other
// records as they were; rules that need stores of their own say why they are not applicable;
// a faulty target fails the same rules through the alias paths as through the store paths.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAULT_MODES, startFaultyTarget } from '../../proof/faults/fault-modes.ts';
import { runCli } from '../../proof/run-cli.ts';
import { startServer } from '../../server/index.ts';

const TOKEN = 'run-id-token';

interface ReportFile {
  readonly verdict: string;
  readonly rules: readonly { id: string; verdict: string; reason?: string }[];
}
const readReport = (dir: string): ReportFile =>
  JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as ReportFile;
const failed = (report: ReportFile): string[] =>
  report.rules.filter((rule) => rule.verdict === 'fail').map((rule) => rule.id);

/** GET with the token, the body parsed. */
async function get<T>(url: string): Promise<{ status: number; body: T }> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
  return { status: response.status, body: (await response.json()) as T };
}

describe('kvs-conformance run --run-id', () => {
  it('passes against the reference server, says why the other rules do not apply, and changes nothing but its own records', async () => {
    const server = await startServer({ tokens: [TOKEN], runs: ['run-1'] });
    try {
      const alias = `${server.url}/v2/actor-runs/run-1/key-value-store`;
      const before = await get<{ data: { id: string } }>(alias);
      await fetch(`${alias}/records/INPUT`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: '{"user":true}',
      });
      const out = mkdtempSync(join(tmpdir(), 'kvsc-run-id-'));
      // The run id from the environment (as from a config file or the API option).
      const result = await runCli(
        ['run', '--target', server.url, '--token', TOKEN, '--runs', '2', '--seed', '7', '--out', out],
        { KVS_CONFORMANCE_RUN_ID: 'run-1' },
      );
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const report = readReport(out);
      expect(report.verdict).toBe('PASS');
      const verdict = (id: string) => report.rules.find((rule) => rule.id === id);
      // Store-scoped rules ran through the alias paths and passed.
      for (const id of ['KVS-RECORD-001', 'KVS-RECORD-003', 'KVS-KEYS-001', 'KVS-KEYS-007', 'KVS-LIMIT-002'])
        expect(verdict(id)?.verdict, id).toBe('pass');
      // Rules needing stores of their own: not applicable, with the reason; never a pass.
      expect(verdict('KVS-PAGE-002')).toMatchObject({ verdict: 'skipped' });
      expect(verdict('KVS-PAGE-002')?.reason).toMatch(/^not applicable under --run-id: it lists the account/);
      expect(verdict('KVS-NOTFOUND-004')?.verdict).toBe('skipped');
      expect(verdict('KVS-NOTFOUND-004')?.reason).toMatch(/not applicable: .*deletes its store/);
      expect(verdict('KVS-RECORD-007')?.reason).toMatch(/256 characters cannot be written/);
      expect(report.rules.filter((rule) => rule.verdict === 'skipped' && !rule.reason)).toEqual([]);
      // The store is still there, with the user's record and none of the run's.
      const after = await get<{ data: { id: string } }>(alias);
      expect(after.body.data.id).toBe(before.body.data.id);
      const keys = await get<{ data: { items: { key: string }[] } }>(`${alias}/keys`);
      expect(keys.body.data.items.map((item) => item.key)).toEqual(['INPUT']);
      // No store was created.
      expect(result.stdout).toContain('cleanup: 0 store(s) created by this run');
      expect(result.stdout).toMatch(
        new RegExp(
          `run store: the default store ${before.body.data.id} of run run-1 is kept; [1-9]\\d* record\\(s\\) this run wrote deleted, 0 left`,
        ),
      );
    } finally {
      await server.close();
    }
  });

  it('fails a faulty target on the same rules through the alias paths as through the store paths', async () => {
    for (const [name, suite] of [
      ['record-content-type-lost', 'RECORD'],
      ['keys-size-zero', 'KEYS'],
    ] as const) {
      const mode = FAULT_MODES.find((candidate) => candidate.name === name);
      if (!mode) throw new Error(`test bug: no fault mode ${name}`);
      const target = await startFaultyTarget(mode, TOKEN, ['run-1']);
      try {
        const run = async (extra: readonly string[]): Promise<ReportFile> => {
          const out = mkdtempSync(join(tmpdir(), 'kvsc-run-id-fault-'));
          const flags = ['--target', target.url, '--token', TOKEN, '--runs', '3', '--seed', '7'];
          const result = await runCli(['run', ...flags, '--suite', suite, '--out', out, ...extra]);
          expect(result.code).toBe(1);
          return readReport(out);
        };
        const byStore = await run([]);
        const byAlias = await run(['--run-id', 'run-1']);
        expect(failed(byAlias)).toEqual(expect.arrayContaining([...mode.targets]));
        // The same failures, but for rules a run's default store cannot check (through apify-client).
        const notApplicable = byAlias.rules
          .filter((rule) => rule.reason?.startsWith('not applicable'))
          .map((rule) => rule.id);
        expect(failed(byAlias)).toEqual(failed(byStore).filter((id) => !notApplicable.includes(id)));
      } finally {
        await target.close();
      }
    }
  });
});

describe('kvs-conformance run --run-id without a token', () => {
  // Applicability under --run-id is decided before the no-token gating: the AUTH and SIGN rules
  // that need stores of their own read "not applicable under --run-id"; a rule that only needs
  // the token says how to give it.
  it('says which rules do not apply under --run-id, and how to give the token to the rest', async () => {
    const server = await startServer({ runs: ['RUN1'] });
    try {
      const out = mkdtempSync(join(tmpdir(), 'kvsc-run-id-no-token-'));
      await runCli(['run', '--target', server.url, '--run-id', 'RUN1', '--runs', '2', '--out', out]);
      const report = readReport(out);
      const reason = (id: string) => report.rules.find((rule) => rule.id === id)?.reason;
      for (const id of [
        'KVS-AUTH-001',
        'KVS-AUTH-002',
        'KVS-SIGN-001',
        'KVS-SIGN-002',
        'KVS-SIGN-003',
        'KVS-SIGN-004',
        'KVS-SIGN-005',
      ])
        expect(reason(id), id).toMatch(/^not applicable under --run-id: /);
      expect(reason('KVS-AUTH-003')).toMatch(/the run has no token.*--token or APIFY_TOKEN/);
      expect(
        report.rules.filter((rule) => /the run has no token/.test(rule.reason ?? '')).map((rule) => rule.id),
      ).toEqual(['KVS-AUTH-003']);
    } finally {
      await server.close();
    }
  });
});
