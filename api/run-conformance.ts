import { ciRunSeed } from '../harness/config/ci-run-seed.ts';
import type { RunOptions } from '../harness/config/run-options.ts';
import { HarnessError } from '../harness/errors.ts';
import type { ConformanceReport } from '../reports/index.ts';
import { runSession } from '../runner/run-session.ts';
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
  const report = await runSession(
    {
      sources: { flags: options, env: {}, ciSeed: ciRunSeed(process.env) },
      out: options.out === undefined ? 'scratch' : 'keep',
      outOrigin: 'out',
      startEmbeddedServer,
    },
    async (session) => (await session.run()).report,
  );
  if (report === undefined)
    throw new HarnessError(
      'KVSC_RUN_FAILED',
      'interrupted (SIGINT/SIGTERM) before the run started; nothing was judged',
    );
  return report;
}
