import { Agent, request } from 'undici';
import { HarnessError } from '../harness/errors.ts';

/** How long the engine gets to answer `GET /_ping`. */
const PING_TIMEOUT_MS = 5_000;

/** The Docker engine a container target runs on, as far as the harness needs to know it. */
export interface DockerEngine {
  /** Where the engine was found, for messages (`DOCKER_HOST=…` or testcontainers' search). */
  readonly source: string;
  /** The address of the engine's machine: with host networking the target listens there. */
  readonly host: string;
}

async function ping(dockerHost: string): Promise<void> {
  const url = new URL(dockerHost);
  const unix = url.protocol === 'unix:';
  const dispatcher = new Agent(unix ? { connect: { socketPath: url.pathname } } : {});
  try {
    const origin = unix ? 'http://localhost' : `http://${url.host}`;
    const response = await request(`${origin}/_ping`, {
      dispatcher,
      signal: AbortSignal.timeout(PING_TIMEOUT_MS),
    });
    await response.body.dump();
    if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}`);
  } finally {
    await dispatcher.close();
  }
}

/**
 * Finds the Docker engine a container target will run on, or says in one line what was tried.
 * Sets TESTCONTAINERS_HOST_OVERRIDE (unless set) to the engine's machine: with host networking
 * that is where the target listens.
 * An explicit DOCKER_HOST is the only engine tried (testcontainers alone would fall back to the
 * default socket, which is not what the user asked for).
 */
export async function checkDockerEngine(env: NodeJS.ProcessEnv): Promise<DockerEngine> {
  const dockerHost = env.DOCKER_HOST;
  if (dockerHost) {
    const scheme = /^(unix|tcp):\/\//.exec(dockerHost)?.[1];
    if (!scheme)
      throw new HarnessError(
        'KVSC_USAGE',
        `DOCKER_HOST is "${dockerHost}"; allowed: unix:///path/to/docker.sock or tcp://host:port`,
      );
    // With TLS the engine needs client certificates to answer; testcontainers reads them itself.
    if (env.DOCKER_TLS_VERIFY !== '1') {
      await ping(scheme === 'tcp' ? dockerHost.replace(/^tcp:/, 'http:') : dockerHost).catch(
        (error: Error) => {
          throw new HarnessError(
            'KVSC_TARGET_UNREACHABLE',
            `--target-image needs a Docker engine; none answered at DOCKER_HOST=${dockerHost} (GET /_ping: ${error.message})`,
            { hint: 'start dockerd (scripts/setup-docker.sh) or point DOCKER_HOST at a running engine' },
          );
        },
      );
    }
    const host = scheme === 'tcp' ? new URL(dockerHost).hostname : '127.0.0.1';
    env.TESTCONTAINERS_HOST_OVERRIDE ??= host;
    return { source: `DOCKER_HOST=${dockerHost}`, host };
  }
  // Without it testcontainers looks for the host in the bridge network, which host-networking
  // engines (dockerd --bridge=none) do not have.
  env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';
  const { getContainerRuntimeClient } = await import('testcontainers');
  try {
    await getContainerRuntimeClient();
  } catch (error) {
    throw new HarnessError(
      'KVSC_TARGET_UNREACHABLE',
      '--target-image needs a Docker engine; none answered (tried: DOCKER_HOST, unset; ~/.testcontainers.properties; unix:///var/run/docker.sock; the rootless sockets)',
      { hint: 'start dockerd (scripts/setup-docker.sh) or set DOCKER_HOST', cause: error },
    );
  }
  return { source: 'the default Docker socket', host: '127.0.0.1' };
}
