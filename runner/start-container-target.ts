import type { ContainerTargetOptions } from '../harness/config/run-options.ts';
import { HarnessError } from '../harness/errors.ts';
import { importOptionalPackage } from '../harness/optional-package.ts';
import type * as Testcontainers from 'testcontainers';
import { checkDockerEngine, type DockerEngine } from './check-docker-engine.ts';

/** How long a target container gets to answer its wait path. */
const CONTAINER_STARTUP_TIMEOUT_MS = 120_000;
/** How long a target container gets to stop after SIGTERM before it is killed. */
const CONTAINER_STOP_TIMEOUT_MS = 3_000;

/** A target running in a container for one run. */
export interface ContainerTarget {
  /** Base URL of the server in the container. */
  readonly url: string;
  readonly id: string;
  /** Stops and removes the container; safe to call more than once. */
  stop(): Promise<void>;
}

/**
 * Starts the implementation under test from a container image (testcontainers) with host
 * networking, waits until `GET waitPath` answers (any status below 500), and returns its URL.
 * `announce` is told the engine once it answered (the wait for the container may take a while).
 * An image that is not local is pulled where a registry is reachable; a failed pull is the
 * error's reason. testcontainers is configured through the process environment.
 */
export async function startContainerTarget(
  options: ContainerTargetOptions,
  announce: (engine: DockerEngine) => void = () => undefined,
): Promise<ContainerTarget> {
  // Ryuk, testcontainers' reaper, is an image of its own pulled from a registry; the harness
  // stops its containers itself (also on SIGINT/SIGTERM).
  process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
  const { module } = await importOptionalPackage<typeof Testcontainers>('testcontainers', '--target-image');
  const { BoundPorts, GenericContainer, Wait } = module;
  // Host networking: the container's port is a port of the engine's machine.
  const engine = await checkDockerEngine(process.env);
  announce(engine);
  const http = Wait.forHttp(options.waitPath, options.port, { abortOnContainerExit: true })
    .forStatusCodeMatching((status) => status < 500)
    .withStartupTimeout(CONTAINER_STARTUP_TIMEOUT_MS);
  // testcontainers' HTTP wait reads the port from the container's port bindings, which host
  // networking does not have: the wait is given the port itself.
  const hostPorts = new BoundPorts();
  hostPorts.setBinding(options.port, options.port);
  const waitOnHostPort: Parameters<InstanceType<typeof GenericContainer>['withWaitStrategy']>[0] = {
    waitUntilReady: (container) => http.waitUntilReady(container, hostPorts),
    withStartupTimeout(startupTimeoutMs) {
      http.withStartupTimeout(startupTimeoutMs);
      return this;
    },
    isStartupTimeoutSet: () => http.isStartupTimeoutSet(),
    getStartupTimeout: () => http.getStartupTimeout(),
  };
  const url = `http://${engine.host.includes(':') ? `[${engine.host}]` : engine.host}:${options.port}`;
  try {
    const container = await new GenericContainer(options.image)
      .withNetworkMode('host')
      .withEnvironment({ ...options.env })
      .withLabels({ 'kvs-conformance.target': 'true' })
      .withWaitStrategy(waitOnHostPort)
      .start();
    let stopped: Promise<unknown> | undefined;
    return {
      url,
      id: container.getId(),
      stop: async () => {
        stopped ??= container.stop({ timeout: CONTAINER_STOP_TIMEOUT_MS, remove: true });
        await stopped;
      },
    };
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0]?.trim() ?? 'unknown error';
    throw new HarnessError(
      'KVSC_TARGET_UNREACHABLE',
      `target image ${options.image} did not start on ${engine.source}: ${reason}`,
      {
        hint: `check that the image is built locally and answers GET ${options.waitPath} on port ${options.port}`,
        cause: error,
      },
    );
  }
}
