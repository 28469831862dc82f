/** SIGINT/SIGTERM seen while a run holds resources (stores, a server, a container) to clean up. */
export interface Interruption {
  /** Aborted on the first SIGINT or SIGTERM. */
  readonly signal: AbortSignal;
  /** Stops listening; the process's default signal handling comes back. */
  dispose(): void;
}

/**
 * The signal guard: listens for SIGINT/SIGTERM so that a signal ends the run through its cleanup
 * instead of killing the process (a listener keeps Node from exiting). `runSession` holds it from
 * before the target starts until everything is cleaned up; `runSuites` stops the suites on its
 * signal.
 */
export function listenForInterruption(): Interruption {
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  process.on('SIGINT', abort);
  process.on('SIGTERM', abort);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', abort);
      process.off('SIGTERM', abort);
    },
  };
}
