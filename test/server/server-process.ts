import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { spawnCli } from '../../proof/run-cli.ts';

/** A reference server running as a child process (`kvs-conformance serve`). */
export interface ServerProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Peak resident memory of the process so far, in bytes (Linux VmHWM). */
  peakMemoryBytes(): number;
  /** Sends a signal and waits for the process to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts `kvs-conformance serve --port 0 …args` and resolves with its URL once it listens. */
export async function startServerProcess(args: readonly string[] = []): Promise<ServerProcess> {
  const serve = spawnCli(['serve', '--port', '0', ...args]);
  // A hang detector: a server starts in about a second, on a loaded machine in a few.
  const [, url = ''] = await serve.waitForStdout(/listening on (http:\/\/\S+)/, 120_000);
  const { child } = serve;
  return {
    url,
    child,
    peakMemoryBytes: () => {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) * 1024;
    },
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await serve.done;
    },
  };
}
