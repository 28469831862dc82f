import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../server/index.ts';
import { runCli } from '../run-cli.ts';
import type { CaseEnv, HostileCase, HostileRun } from './hostile-case.ts';
import { answer, startHostileServer } from './hostile-server.ts';

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

function readOutputs(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const name of readdirSync(dir)) files.set(name, readFileSync(join(dir, name)));
  return files;
}

/**
 * Runs the CLI against one hostile target (a real server on 127.0.0.1 in front of a reference
 * server that knows the run's token) and returns what came out. With `measure`, the CLI runs under
 * GNU time for its peak RSS.
 */
export async function runHostileCase(
  testCase: HostileCase,
  options: { readonly measure?: boolean } = {},
): Promise<{ readonly run: HostileRun; readonly env: CaseEnv; readonly token: string }> {
  const token = `kvsc-hostile-${randomBytes(16).toString('hex')}`;
  const reference = await startServer({ tokens: [token] });
  const otherHost = await startHostileServer(reference.url, async (request, res, state) => {
    const served = await state.forward({
      ...request,
      headers: { ...request.headers, authorization: `Bearer ${token}` },
    });
    return answer(res, served.status, served.body, served.headers);
  });
  const env: CaseEnv = { token, otherHost };
  const hostile =
    testCase.behaviour === 'closed-port'
      ? undefined
      : await startHostileServer(reference.url, testCase.behaviour(env));
  const target = hostile?.url ?? `http://127.0.0.1:${await freePort()}`;
  const out = mkdtempSync(join(tmpdir(), 'kvsc-hostile-'));
  try {
    const started = performance.now();
    const result = await runCli(
      [
        'run',
        '--target',
        target,
        '--seed',
        '1',
        '--runs',
        '2',
        '--timeout',
        '3s',
        '--out',
        out,
        ...testCase.args,
      ],
      { APIFY_TOKEN: token, GITHUB_STEP_SUMMARY: join(out, 'github-step-summary.md') },
      { measurePeakRss: options.measure === true },
    );
    return {
      token,
      env,
      run: {
        exit: result.code,
        wallMs: Math.round(performance.now() - started),
        peakRssKb: result.peakRssKb,
        stdout: result.stdoutBytes,
        stderr: result.stderrBytes,
        files: readOutputs(out),
        seen: hostile?.state.seen ?? [],
      },
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
    await hostile?.close();
    await otherHost.close();
    await reference.close();
  }
}
