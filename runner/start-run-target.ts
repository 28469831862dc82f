import type { ResolvedRunOptions } from '../harness/config/run-options.ts';
import type { Contract } from '../harness/contract/load-contract.ts';
import { mintToken } from './mint-token.ts';

/** A server the session started and stops. */
export interface StartedServer {
  /** The base URL (without /v2). */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Starts the embedded reference server for a run. Wired in by `cli/` and `api/` (runner/ does not
 * import server/: the reference server shares no code with the harness).
 */
export type StartEmbeddedServer = (contract: Contract, options: ResolvedRunOptions) => Promise<StartedServer>;

/** The target of a run: the one given, the container started from an image, or the embedded server. */
export interface RunTarget {
  readonly url: string;
  /** The embedded reference server (no --target, no --target-image). */
  readonly embedded: boolean;
  /** Stops what was started (the container, the embedded server); nothing for a given URL. */
  close(): Promise<void>;
}

/** Whether a run gets the embedded reference server: neither a target URL nor a target image was given. */
export const usesEmbeddedServer = (options: ResolvedRunOptions): boolean =>
  options.target === undefined && options.targetImage === undefined;

/**
 * The run's options with the embedded server's token: without a token of the user's, the embedded
 * server gets a made-up one, so that the AUTH and SIGN rules are checked by default too.
 */
export function withEmbeddedToken(options: ResolvedRunOptions): ResolvedRunOptions {
  return usesEmbeddedServer(options) && options.token === undefined
    ? { ...options, token: mintToken() }
    : options;
}

/**
 * Starts what the run targets: nothing for `--target URL`, the container of `--target-image`
 * (testcontainers, host network), or the embedded reference server. `notify` hears one line per
 * step (the CLI prints them).
 */
export async function startRunTarget(input: {
  readonly contract: Contract;
  readonly options: ResolvedRunOptions;
  readonly startEmbeddedServer: StartEmbeddedServer;
  readonly notify: (line: string) => void;
}): Promise<RunTarget> {
  const { contract, options, notify } = input;
  if (options.target !== undefined)
    return { url: options.target, embedded: false, close: () => Promise.resolve() };
  if (options.targetImage !== undefined) {
    const { image, port, waitPath } = options.targetImage;
    // Loaded only for a container target: testcontainers is an optional package.
    const { startContainerTarget } = await import('./start-container-target.ts');
    const container = await startContainerTarget(options.targetImage, (engine) =>
      notify(
        `kvs-conformance: starting ${image} on ${engine.source} (host network, port ${port}, waiting for GET ${waitPath})`,
      ),
    );
    notify(`kvs-conformance: container ${container.id.slice(0, 12)} answers at ${container.url}`);
    return { url: container.url, embedded: false, close: () => container.stop() };
  }
  const server = await input.startEmbeddedServer(contract, options);
  notify(`kvs-conformance: no --target given; started the embedded reference server at ${server.url}`);
  return { url: server.url, embedded: true, close: () => server.close() };
}
