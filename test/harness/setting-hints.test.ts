// A failure that a profile setting would declare away names that setting's flag: a server that
// does not offer the zip download (KVS-RECORD-011) reads "got 404 …" and "--zip-download false",
// not a zip parser's error about a 404 page; a server that does not sign URLs (KVS-SIGN-001) names
// "--url-signing false".
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../server/index.ts';
import type { ConformanceReport } from '../../reports/index.ts';
import { startFaultProxy, type FaultProxy } from '../../proof/faults/fault-proxy.ts';
import { isRecords, isStore } from '../../proof/faults/fault-helpers.ts';
import { runCli } from '../../proof/run-cli.ts';

const TOKEN = 'kvsc-setting-hints-token';

describe('a server without the zip download', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let proxy: FaultProxy;
  beforeAll(async () => {
    server = await startServer({ tokens: [TOKEN] });
    proxy = await startFaultProxy(server.url, (answer) =>
      answer.method === 'GET' && isRecords(answer.path)
        ? {
            ...answer,
            status: 404,
            headers: { 'content-type': 'application/json' },
            body: Buffer.from(
              JSON.stringify({ error: { type: 'page-not-found', message: 'Page not found' } }),
            ),
          }
        : answer,
    );
  });
  afterAll(async () => {
    await proxy.close();
    await server.close();
  });

  it('KVS-RECORD-011 fails with the status it got and the --zip-download false hint', async () => {
    const out = mkdtempSync(join(tmpdir(), 'kvsc-zip-404-'));
    await runCli([
      'run',
      '--target',
      proxy.url,
      '--token',
      TOKEN,
      '--rule',
      'KVS-RECORD-011',
      '--runs',
      '2',
      '--out',
      out,
    ]);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as ConformanceReport;
    const message = report.rules.find((rule) => rule.id === 'KVS-RECORD-011')?.failures[0]?.message;
    expect(message).toMatch(/expected 200 with a zip, got 404 .*page-not-found/);
    expect(message).toMatch(/--zip-download false$/);
  });
});

describe('a server that does not sign URLs', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let proxy: FaultProxy;
  beforeAll(async () => {
    server = await startServer({ tokens: [TOKEN] });
    // The store object shows no urlSigningSecretKey, as a server without signing would.
    proxy = await startFaultProxy(server.url, (answer) => {
      if (!isStore(answer.path) || answer.status !== 200) return answer;
      const json = JSON.parse(answer.body.toString()) as { data: Record<string, unknown> };
      delete json.data.urlSigningSecretKey;
      return { ...answer, body: Buffer.from(JSON.stringify(json)) };
    });
  });
  afterAll(async () => {
    await proxy.close();
    await server.close();
  });

  it('KVS-SIGN-001 fails with the --url-signing false hint', async () => {
    const out = mkdtempSync(join(tmpdir(), 'kvsc-no-signing-'));
    await runCli([
      'run',
      '--target',
      proxy.url,
      '--token',
      TOKEN,
      '--rule',
      'KVS-SIGN-001',
      '--runs',
      '2',
      '--out',
      out,
    ]);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as ConformanceReport;
    const message = report.rules.find((rule) => rule.id === 'KVS-SIGN-001')?.failures[0]?.message;
    expect(message).toMatch(/no urlSigningSecretKey.*--url-signing false$/);
  });
});
