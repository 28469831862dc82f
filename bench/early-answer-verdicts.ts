// Issue 29: the verdicts of KVS-LIMIT-002 and KVS-LIMIT-003 against a stack that answers an
// over-limit record write 413 from its head, reads 64 KiB more of the body and closes (the JDK
// server's habit), over repeated runs: the same verdict every time. Not a timing.
// `npm run build && node --import tsx bench/early-answer-verdicts.ts [runs, default 20]`
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConformanceReport } from '../reports/index.ts';
import { startServer } from '../server/index.ts';
import { isRecordWrite, PAYLOAD_LIMIT } from '../proof/faults/fault-helpers.ts';
import { startRawFront } from '../proof/faults/raw-front.ts';
import { runCli } from '../proof/run-cli.ts';

const TOKEN = 'kvsc-early-413-token-0123';
const RULES = ['KVS-LIMIT-002', 'KVS-LIMIT-003'];
const runs = Number(process.argv[2] ?? 20);

const server = await startServer({ tokens: [TOKEN] });
const front = await startRawFront(server.url, (head) =>
  Promise.resolve(
    isRecordWrite(head) && Number(head.headers['content-length'] ?? 0) > PAYLOAD_LIMIT
      ? {
          status: 413,
          body: { error: { type: 'request-too-large', message: 'The request body is too large' } },
          then: 'partial-close' as const,
        }
      : undefined,
  ),
);
const outcomes = new Map<string, number>();
try {
  for (let run = 0; run < runs; run += 1) {
    const out = mkdtempSync(join(tmpdir(), 'kvsc-early-413-'));
    await runCli([
      'run',
      '--target',
      front.url,
      '--token',
      TOKEN,
      ...RULES.flatMap((id) => ['--rule', id]),
      '--out',
      out,
    ]);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as ConformanceReport;
    const outcome = report.rules
      .filter((rule) => RULES.includes(rule.id))
      .map((rule) => `${rule.id} ${rule.verdict}`)
      .join(', ');
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  }
} finally {
  await front.close();
  await server.close();
}
for (const [outcome, count] of outcomes) console.log(`${count} of ${runs} runs: ${outcome}`);
