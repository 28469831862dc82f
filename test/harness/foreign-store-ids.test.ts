// Issue 29: a run against a server whose store ids are not the platform's 17 characters (UUIDs)
// leaves none of its stores behind, and its report says how many it created and deleted.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../server/index.ts';
import type { ConformanceReport } from '../../reports/index.ts';
import { runCli } from '../../proof/run-cli.ts';
import { startUuidIdProxy, type UuidIdProxy } from './uuid-id-proxy.ts';

const TOKEN = 'kvsc-uuid-ids-token-0123';

async function storeCount(url: string): Promise<number> {
  const response = await fetch(`${url}/v2/key-value-stores?unnamed=1&limit=1000`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  return ((await response.json()) as { data: { total: number } }).data.total;
}

describe('a run against a server with UUID store ids', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let proxy: UuidIdProxy;
  beforeAll(async () => {
    server = await startServer({ tokens: [TOKEN] });
    proxy = await startUuidIdProxy(server.url);
  });
  afterAll(async () => {
    await proxy.close();
    await server.close();
  });

  it('leaves 0 stores behind, whatever failed, and the report counts what it created and deleted', async () => {
    expect(await storeCount(server.url)).toBe(0);
    const out = mkdtempSync(join(tmpdir(), 'kvsc-uuid-'));
    const result = await runCli([
      'run',
      '--target',
      proxy.url,
      '--token',
      TOKEN,
      '--runs',
      '2',
      '--out',
      out,
    ]);
    const match = /cleanup: (\d+) store\(s\) created by this run, (\d+) deleted, (\d+) left/.exec(
      result.stdout,
    );
    expect(match, result.stdout + result.stderr).not.toBeNull();
    const [, created, deleted, left] = match ?? [];
    expect(Number(created)).toBeGreaterThan(10);
    expect(Number(deleted)).toBe(Number(created));
    expect(Number(left)).toBe(0);
    expect(await storeCount(server.url)).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as ConformanceReport;
    expect(report.cleanup).toBeUndefined();
  });
});
