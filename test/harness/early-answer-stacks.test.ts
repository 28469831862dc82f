// Issue 29: stacks that answer before reading a request body are judged on what they sent. A
// raw-socket front in front of the reference server answers an over-limit record write 413 from its
// head and closes after a partial read (the JDK server's habit), and a write into a missing store
// 404 from its head, reading the body after (correct): the LIMIT and HTTP rules pass on it.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../server/index.ts';
import type { ConformanceReport } from '../../reports/index.ts';
import { runCli } from '../../proof/run-cli.ts';
import { isRecordWrite, PAYLOAD_LIMIT } from '../../proof/faults/fault-helpers.ts';
import { earlyNotFoundDrained } from '../../proof/faults/http-faults.ts';
import { startRawFront, type RawFront } from '../../proof/faults/raw-front.ts';

const TOKEN = 'kvsc-early-answers-token-0123';

describe('a stack that answers before reading the body', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let front: RawFront;
  beforeAll(async () => {
    server = await startServer({ tokens: [TOKEN] });
    const notFound = earlyNotFoundDrained();
    front = await startRawFront(server.url, (head, upstream) =>
      isRecordWrite(head) && Number(head.headers['content-length'] ?? 0) > PAYLOAD_LIMIT
        ? Promise.resolve({
            status: 413,
            body: { error: { type: 'request-too-large', message: 'The request body is too large' } },
            then: 'partial-close' as const,
          })
        : notFound(head, upstream),
    );
  });
  afterAll(async () => {
    await front.close();
    await server.close();
  });

  it('passes KVS-LIMIT and KVS-HTTP: the early 413 is read, the early 404 leaves the connection usable', async () => {
    const out = mkdtempSync(join(tmpdir(), 'kvsc-early-'));
    const result = await runCli([
      'run',
      '--target',
      front.url,
      '--token',
      TOKEN,
      '--suite',
      'LIMIT',
      '--suite',
      'HTTP',
      '--runs',
      '3',
      '--out',
      out,
    ]);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as ConformanceReport;
    const verdicts = Object.fromEntries(
      report.rules
        .filter((rule) => /^KVS-(LIMIT|HTTP)-/.test(rule.id))
        .map((rule) => [rule.id, rule.verdict]),
    );
    expect(verdicts, result.stdout + result.stderr).toEqual({
      'KVS-LIMIT-001': 'pass',
      'KVS-LIMIT-002': 'pass',
      'KVS-LIMIT-003': 'pass',
      'KVS-LIMIT-004': 'pass',
      'KVS-HTTP-001': 'pass',
    });
  });
});
