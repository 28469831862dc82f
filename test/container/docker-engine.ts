import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const SETUP_SCRIPT = fileURLToPath(new URL('../../scripts/setup-docker.sh', import.meta.url));

/** Whether a Docker engine answers the CLI (`docker version` reaches the server). */
async function engineAnswers(): Promise<boolean> {
  return exec('docker', ['version', '--format', '{{.Server.Version}}'], { timeout: 20_000 }).then(
    () => true,
    () => false,
  );
}

/** The last line a failed command wrote, for a one-line reason. */
function lastLine(error: unknown): string {
  const text = (error as { stderr?: string; message?: string }).stderr || String(error);
  return text.trim().split('\n').at(-1) ?? text;
}

/**
 * A Docker engine for the container tests: `undefined` when one answers (started here through the
 * project's own `scripts/setup-docker.sh --no-install` when the engine is installed but not
 * running and this process may start it), otherwise the one-line reason the tests skip.
 * It never installs system packages: `.ci/run` does that before `npm test`.
 */
export async function dockerEngineUnavailable(): Promise<string | undefined> {
  if (await engineAnswers()) return undefined;
  if (process.getuid?.() !== 0)
    return 'no Docker engine answers and starting one needs root (see scripts/setup-docker.sh)';
  try {
    await exec('bash', [SETUP_SCRIPT, '--no-install'], { timeout: 120_000 });
  } catch (error) {
    return `no Docker engine answers and scripts/setup-docker.sh --no-install could not start one: ${lastLine(error)}`;
  }
  return (await engineAnswers()) ? undefined : 'scripts/setup-docker.sh ran but no Docker engine answers';
}
