import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnCli } from '../../proof/run-cli.ts';
import { dockerEngineUnavailable } from './docker-engine.ts';
import { freePort } from './free-port.ts';
import { referenceImage } from './reference-image.ts';

// End to end: the reference server's image (Dockerfile, built as users build it) as the target of
// `run --target-image`. Needs a Docker engine: .ci/run installs and starts one with
// scripts/setup-docker.sh; here an installed engine is started, and without one these tests skip
// with the reason (never fail on the engine's absence).
const TOKEN = 'container-e2e-token';
const exec = promisify(execFile);
const outDir = () => mkdtempSync(join(tmpdir(), 'kvsc-container-'));

/** The id of the container a run printed it started. */
function startedContainer(output: string): string {
  const id = /container ([0-9a-f]{12}) answers at/.exec(output)?.[1];
  if (!id) throw new Error(`the run did not say which container it started:\n${output}`);
  return id;
}

/** Whether a container still exists, running or not. */
async function containerExists(id: string): Promise<boolean> {
  const { stdout } = await exec('docker', ['ps', '-aq', '--filter', `id=${id}`]);
  return stdout.trim() !== '';
}

/** Why the tests that need a Docker engine skip, or `undefined` when one answers. */
const noEngine = await dockerEngineUnavailable();
if (noEngine) console.warn(`test/container: the tests that need a Docker engine skip: ${noEngine}`);

/** The reference image, built (or reused) once for the file; only a name when no engine answers. */
let image = 'kvs-conformance:e2e-no-engine';

/** The run flags that start the reference image on a free loopback port. */
async function targetImageFlags(): Promise<string[]> {
  const port = await freePort();
  return [
    '--target-image',
    image,
    '--target-port',
    String(port),
    // The image listens on 0.0.0.0 for bridge networks; here (host network) on loopback only.
    '--target-env',
    'HOST=127.0.0.1',
    // The server accepts the run's token, so the AUTH and SIGN rules are checked too.
    '--target-env',
    `APIFY_TOKEN=${TOKEN}`,
    '--token',
    TOKEN,
    '--target-wait',
    '/v2/key-value-stores',
  ];
}

describe('run --target-image (Docker engine, host networking)', () => {
  // Hang detector only: a first build takes one to three minutes on a loaded 2-core machine.
  beforeAll(async () => {
    if (!noEngine) image = await referenceImage();
  }, 900_000);

  it('runs the suites against the reference server image, passes, and removes the container', async (ctx) => {
    if (noEngine) return ctx.skip(noEngine);
    const out = outDir();
    const result = await runCli(['run', ...(await targetImageFlags()), '--runs', '3', '--out', out]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/container [0-9a-f]{12} answers at http:\/\/127\.0\.0\.1:\d+/);
    expect(result.stdout).toMatch(/kvs-conformance: PASS — \d+ of \d+ rules passed, 0 failed/);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as {
      verdict: string;
      target: { url: string; embedded: boolean };
      totals: { mustFail: number; pass: number };
    };
    expect(report.verdict).toBe('PASS');
    expect(report.target.embedded).toBe(false);
    expect(report.target.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(report.totals.pass).toBeGreaterThan(0);
    expect(await containerExists(startedContainer(result.stdout))).toBe(false);
  }, 600_000);

  it('stops the container when the run is interrupted (SIGINT): exit 2, nothing left', async (ctx) => {
    if (noEngine) return ctx.skip(noEngine);
    const run = spawnCli(['run', ...(await targetImageFlags()), '--runs', '3', '--out', outDir()]);
    await expect.poll(() => run.output(), { timeout: 300_000, interval: 200 }).toMatch(/answers at/);
    run.child.kill('SIGINT');
    const result = await run.done;
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('interrupted');
    expect(await containerExists(startedContainer(result.stdout))).toBe(false);
  }, 600_000);

  it('without a reachable Docker engine: one line naming what was tried, exit 2', async () => {
    const socket = join(outDir(), 'no-docker.sock');
    const result = await runCli(['run', ...(await targetImageFlags()), '--out', outDir()], {
      DOCKER_HOST: `unix://${socket}`,
    });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringContaining(
        `--target-image needs a Docker engine; none answered at DOCKER_HOST=unix://${socket}`,
      ),
    ]);
  }, 120_000);
});
