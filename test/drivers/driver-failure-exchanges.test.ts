// A failure found through a client driver shows the requests the driver's call made (curl lines,
// statuses, response excerpts), token redacted, as a failure found over the harness's own HTTP
// client does: a client maintainer needs what their library sent, not only the library call.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../proof/run-cli.ts';
import { writeClientFaultModule } from '../../proof/faults/client-fault.ts';
import { CLIENT_FAULTS } from '../../proof/faults/client-faults.ts';
import { ApifyClientDriver, type DriverAnswer, type DriverRequest } from '../../harness/index.ts';
import { startReferenceServer } from '../../api/start-reference-server.ts';

const TOKEN = 'kvsc-secret-token-5d1e77a0';

interface ReportJson {
  readonly rules: readonly {
    id: string;
    failures: readonly {
      test: string;
      exchanges: readonly { curl: string; method: string; url: string; status: number | null }[];
    }[];
  }[];
}

describe('the evidence of a failure found through a client driver', () => {
  it('a driver module’s failure carries the requests its call made, token redacted everywhere', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kvsc-driver-exchanges-'));
    const fault = CLIENT_FAULTS.find((each) => each.name === 'miss-as-null');
    if (!fault) throw new Error('no fault miss-as-null');
    const out = join(dir, 'out');
    const result = await runCli(
      [
        'run',
        '--seed',
        '1',
        '--runs',
        '2',
        '--rule',
        'KVS-NOTFOUND-005',
        '--driver',
        writeClientFaultModule(fault, dir),
        '--out',
        out,
      ],
      { APIFY_TOKEN: TOKEN },
    );
    expect(result.code, result.stderr).toBe(1);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as ReportJson;
    const failures = report.rules
      .find((rule) => rule.id === 'KVS-NOTFOUND-005')
      ?.failures.filter((each) => each.test.includes('[miss-as-null]'));
    expect(failures?.length).toBeGreaterThan(0);
    for (const failure of failures ?? []) {
      // The call that read the miss: a GET of a record the target answered 404.
      const read = failure.exchanges.at(-1);
      expect(read).toMatchObject({ method: 'GET', status: 404 });
      expect(read?.url).toMatch(/\/v2\/key-value-stores\/[^/]+\/records\//);
      expect(read?.curl).toContain('"authorization: Bearer $APIFY_TOKEN"');
    }
    for (const file of readdirSync(out)) expect(readFileSync(join(out, file), 'utf8')).not.toContain(TOKEN);
    expect(result.stdout + result.stderr).not.toContain(TOKEN);
  }, 300_000);

  it('apify-client’s driver tells of each request as sent (serialized, compressed) and of its answer', async () => {
    const server = await startReferenceServer({ port: 0, token: TOKEN });
    const told: { request: DriverRequest; answer: DriverAnswer }[] = [];
    const driver = new ApifyClientDriver({
      baseUrl: server.url,
      token: TOKEN,
      timeoutMs: 5_000,
      maxResponseBytes: 1 << 20,
      onRequest: (request) => (answer) => {
        if (request) told.push({ request, answer });
      },
    });
    try {
      const store = await driver.getOrCreateStore();
      await driver.setRecord(store.id, 'k', Buffer.from('{"a":1}'), 'application/json');
      expect(await driver.getRecord(store.id, 'missing')).toBeUndefined();
    } finally {
      await server.close();
    }
    expect(told.map(({ request, answer }) => [request.method, answer.status])).toEqual([
      ['POST', 201],
      ['PUT', 201],
      ['GET', 404],
    ]);
    const [, put, miss] = told;
    expect(put?.request.url).toMatch(/\/v2\/key-value-stores\/[^/]+\/records\/k$/);
    expect(put?.request.headers).toMatchObject({ Authorization: `Bearer ${TOKEN}` });
    expect(put?.request.body).toBeDefined();
    expect(String(miss?.answer.body)).toContain('record-not-found');
  }, 60_000);
});
