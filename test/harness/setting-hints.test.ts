// A failure that a profile setting would declare away names that setting's flag: a server that
// does not offer the zip download (KVS-RECORD-011) reads "got 404 …" and "--zip-download false",
// not a zip parser's error about a 404 page; a server that does not sign URLs (KVS-SIGN-001) names
// "--url-signing false". A stopping failure that a setting would declare away (KVS-SCHEMA-002 on
// UUID ids under --profile apify) names the setting in every rule it blocks, too.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../server/index.ts';
import type { ConformanceReport } from '../../reports/index.ts';
import { startFaultProxy, type FaultProxy } from '../../proof/faults/fault-proxy.ts';
import { isRecords } from '../../proof/faults/fault-helpers.ts';
import { runCli } from '../../proof/run-cli.ts';
import { startUnsignedStoreProxy } from './unsigned-store-proxy.ts';
import { startUuidIdProxy } from './uuid-id-proxy.ts';

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
    const report = await runReport(proxy.url, ['--rule', 'KVS-RECORD-011']);
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
    proxy = await startUnsignedStoreProxy(server.url);
  });
  afterAll(async () => {
    await proxy.close();
    await server.close();
  });

  it('KVS-SIGN-001 fails with the --url-signing false hint', async () => {
    const report = await runReport(proxy.url, ['--rule', 'KVS-SIGN-001']);
    const message = report.rules.find((rule) => rule.id === 'KVS-SIGN-001')?.failures[0]?.message;
    expect(message).toMatch(/no urlSigningSecretKey.*--url-signing false$/);
  });
});

/** Runs the CLI against `target` with `flags` and returns its report. */
async function runReport(target: string, flags: readonly string[]): Promise<ConformanceReport> {
  const out = mkdtempSync(join(tmpdir(), 'kvsc-setting-hint-'));
  await runCli(['run', '--target', target, '--token', TOKEN, '--runs', '2', '--out', out, ...flags]);
  return JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as ConformanceReport;
}

describe('a server that lists keys without a recordPublicUrl', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let proxy: FaultProxy;
  beforeAll(async () => {
    server = await startServer({ tokens: [TOKEN] });
    // A server that does not sign URLs has no public URL to give a listed key.
    proxy = await startFaultProxy(server.url, (answer) => {
      if (!/\/keys(\?|$)/.test(answer.path) || answer.status !== 200) return answer;
      const json = JSON.parse(answer.body.toString()) as { data: { items: Record<string, unknown>[] } };
      for (const item of json.data.items) delete item.recordPublicUrl;
      return { ...answer, body: Buffer.from(JSON.stringify(json)) };
    });
  });
  afterAll(async () => {
    await proxy.close();
    await server.close();
  });

  it('KVS-SIGN-005 fails with the --url-signing false hint', async () => {
    const report = await runReport(proxy.url, ['--rule', 'KVS-SIGN-005']);
    const rule = report.rules.find((entry) => entry.id === 'KVS-SIGN-005');
    expect(rule?.verdict).toBe('fail');
    expect(rule?.failures[0]?.message).toMatch(/without a recordPublicUrl.*--url-signing false$/);
  });
});

describe('a server that does not decode br bodies', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let proxy: FaultProxy;
  beforeAll(async () => {
    server = await startServer({ tokens: [TOKEN] });
    proxy = await startFaultProxy(server.url, {
      request: async (request, forward) =>
        request.headers['content-encoding'] === 'br'
          ? {
              method: request.method,
              path: request.path,
              status: 415,
              headers: { 'content-type': 'application/json' },
              body: Buffer.from(
                JSON.stringify({
                  error: { type: 'unsupported-content-encoding', message: 'Unsupported Content-Encoding' },
                }),
              ),
            }
          : forward(request),
    });
  });
  afterAll(async () => {
    await proxy.close();
    await server.close();
  });

  it('KVS-RECORD-005 fails with the --content-encodings hint without br', async () => {
    const report = await runReport(proxy.url, ['--rule', 'KVS-RECORD-005', '--runs', '20']);
    const rule = report.rules.find((entry) => entry.id === 'KVS-RECORD-005');
    expect(rule?.verdict).toBe('fail');
    expect(rule?.failures[0]?.message).toMatch(
      /if the server does not decode br bodies, declare it with --content-encodings gzip,deflate$/,
    );
  });

  it('KVS-RECORD-014 (apify-client compresses with br from 1 KiB on) fails with the same hint', async () => {
    const report = await runReport(proxy.url, ['--rule', 'KVS-RECORD-014', '--runs', '20']);
    const rule = report.rules.find((entry) => entry.id === 'KVS-RECORD-014');
    expect(rule?.verdict).toBe('fail');
    expect(rule?.failures.map((failure) => failure.message).join('\n')).toMatch(
      /was refused with 415: .*; if the server does not decode br bodies, declare it with --content-encodings gzip,deflate/,
    );
  });
});

describe('a server with UUID store ids under --profile apify', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let proxy: FaultProxy;
  beforeAll(async () => {
    server = await startServer({ tokens: [TOKEN] });
    proxy = await startUuidIdProxy(server.url);
  });
  afterAll(async () => {
    await proxy.close();
    await server.close();
  });

  it('KVS-SCHEMA-002 names --store-id-format any, and so does every rule it blocks', async () => {
    const report = await runReport(proxy.url, ['--profile', 'apify', '--suite', 'KEYS']);
    const schema = report.rules.find((rule) => rule.id === 'KVS-SCHEMA-002');
    expect(schema?.verdict).toBe('fail');
    expect(schema?.failures[0]?.message).toMatch(/has store id "[-0-9a-f]{36}".*--store-id-format any$/);
    const blocked = report.rules.filter((rule) => rule.reasonKind === 'blocked');
    expect(blocked.length).toBeGreaterThan(0);
    for (const rule of blocked)
      expect(rule.reason).toMatch(
        /failed on KVS-SCHEMA-002 first; if .*, declare it with --store-id-format any$/,
      );
  });
});

describe('a server whose payload limit counts decoded bytes', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    server = await startServer({ tokens: [TOKEN], payloadLimitCounts: 'decoded' });
  });
  afterAll(() => server.close());

  it('KVS-LIMIT-004 under the default (encoded) fails with the --payload-limit-counts hint', async () => {
    const report = await runReport(server.url, ['--rule', 'KVS-LIMIT-004']);
    const message = report.rules.find((rule) => rule.id === 'KVS-LIMIT-004')?.failures[0]?.message;
    expect(message).toMatch(
      /answered 413; payloadLimitCounts is encoded; if the server counts the bytes another way, declare it with --payload-limit-counts \(encoded, decoded or either\)$/,
    );
  });
});
