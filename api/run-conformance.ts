import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ciRunSeed } from '../harness/config/ci-run-seed.ts';
import { ensureOutDir } from '../harness/config/ensure-out-dir.ts';
import { resolveRunOptions, type RawRunOptions } from '../harness/config/resolve-run-options.ts';
import type { RunOptions } from '../harness/config/run-options.ts';
import { loadContract } from '../harness/contract/load-contract.ts';
import { RULES_REFERENCE_FILE } from '../harness/contract/rules-reference-location.ts';
import { redactSecrets } from '../harness/http/redact.ts';
import { runConformance as runSuites } from '../runner/run-conformance.ts';
import { HARNESS_VERSION } from '../harness/version.ts';
import { buildReport, REPORT_FILES, writeReportFiles, type ConformanceReport } from '../reports/index.ts';
import { startEmbeddedServer } from './start-embedded-server.ts';

/**
 * Options of a run: those of `kvs-conformance run` but watch mode and container targets (start
 * your target yourself and pass its URL); the environment is not read. Without `target`, the
 * embedded reference server is started and stopped; with `out`, the four report files are
 * written there too.
 */
export type ConformanceOptions = Omit<
  RunOptions,
  'watch' | 'watchPath' | 'targetImage' | 'targetPort' | 'targetEnv' | 'targetWait'
>;

/**
 * Runs the conformance suites against a target and resolves with the report (the model behind
 * report.json). A run that could not check everything says so in the report (verdict
 * `INCOMPLETE`, with `incomplete` saying why); bad options or an unreachable target reject with a
 * HarnessError. Every store the run created is deleted before it resolves.
 */
export async function runConformance(options: ConformanceOptions = {}): Promise<ConformanceReport> {
  const scratch = options.out === undefined ? mkdtempSync(join(tmpdir(), 'kvsc-api-')) : undefined;
  try {
    let resolved = resolveRunOptions({
      flags: { ...(options as RawRunOptions), out: options.out ?? scratch },
      env: {},
      ciSeed: ciRunSeed(process.env),
    });
    const out = ensureOutDir(resolved.out, 'out');
    const contract = await loadContract(resolved.spec === undefined ? {} : { openapiFile: resolved.spec });
    const embedded = resolved.target === undefined;
    if (embedded && resolved.token === undefined)
      resolved = { ...resolved, token: `kvsc-${randomBytes(12).toString('hex')}` };
    const secrets = resolved.token ? [resolved.token] : [];
    const server = embedded ? await startEmbeddedServer(contract, resolved) : undefined;
    try {
      const result = await runSuites(contract, resolved, resolved.target ?? server?.url ?? '');
      const report = buildReport({
        contract,
        result,
        harnessVersion: HARNESS_VERSION,
        preset: resolved.profile,
        seedSource: resolved.seedSource,
        shard: resolved.shard,
        embedded,
        // Without `out` no file is written: the replay commands name the report.json the caller writes.
        reportPath: scratch === undefined ? join(out, REPORT_FILES.json) : REPORT_FILES.json,
        redact: (text) => redactSecrets(text, secrets),
        withToken: resolved.token !== undefined,
        rulesReference: { url: resolved.rulesUrl, file: RULES_REFERENCE_FILE },
      });
      if (scratch === undefined) writeReportFiles(report, out);
      return report;
    } finally {
      await server?.close();
    }
  } finally {
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  }
}
