import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../bin/kvs-conformance.js', import.meta.url));

/** What a CLI process printed and how it ended. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A running CLI process. */
export interface CliProcess {
  readonly child: ChildProcess;
  /** Everything printed so far. */
  output(): string;
  readonly done: Promise<CliResult>;
}

/** Starts `kvs-conformance …args` as a child process (environment without APIFY_TOKEN unless given). */
export function spawnCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): CliProcess {
  const { APIFY_TOKEN: _dropped, ...inherited } = process.env;
  void _dropped;
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...inherited, FORCE_COLOR: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<CliResult>((resolve) =>
    child.once('close', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, output: () => stdout + stderr, done };
}

/** Runs `kvs-conformance …args` to the end. */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return spawnCli(args, env).done;
}
