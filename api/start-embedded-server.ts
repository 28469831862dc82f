import type { Contract } from '../harness/contract/load-contract.ts';
import type { ResolvedRunOptions } from '../harness/config/run-options.ts';
import { startServer, type RunningServer } from '../server/index.ts';

/** How stale the embedded server's eventual mode gets: well inside the window. */
function embeddedStaleMs(windowMs: number): number {
  return Math.min(200, Math.floor(windowMs / 4));
}

/**
 * Starts the embedded reference server, matching the run's consistency profile; under --run-id it
 * knows that run, with a default store of its own.
 */
export async function startEmbeddedServer(
  contract: Contract,
  options: ResolvedRunOptions,
): Promise<RunningServer> {
  const eventual =
    (options.settings.consistency ??
      contract.profiles.presets.get(options.profile ?? '')?.settings.consistency) === 'eventual';
  const windowMs = Number(
    options.settings.consistencyWindowMs ?? contract.profiles.defaults.consistencyWindowMs,
  );
  return startServer({
    tokens: options.token ? [options.token] : [],
    maxRecordBytes: contract.limits.maxPayloadBytes,
    consistency: eventual ? { mode: 'eventual', staleMs: embeddedStaleMs(windowMs) } : { mode: 'strong' },
    ...(options.runId === undefined ? {} : { runs: [options.runId] }),
  });
}
