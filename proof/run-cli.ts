import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../bin/kvs-conformance.js', import.meta.url));
/** GNU time, which reports a process tree's peak resident set. */
const TIME = '/usr/bin/time';
const PEAK_RSS_LINE = /kvsc-peak-rss-kb=(\d+)\n?/;

/** What a CLI process printed and how it ended. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout as the bytes printed (for scanning output that need not be UTF-8). */
  readonly stdoutBytes: Buffer;
  /** stderr as the bytes printed. */
  readonly stderrBytes: Buffer;
  /** Peak RSS (KiB) of the largest process of the run (the CLI or a test worker), when measured. */
  readonly peakRssKb: number | undefined;
}

/** How to start the CLI beyond its arguments and environment. */
export interface CliOptions {
  /** Keep stdin open as a pipe (`child.stdin`), for commands that read keys (`run --watch`). */
  readonly stdin?: boolean;
  /** Run under GNU time (when installed) and report the peak RSS in CliResult.peakRssKb. */
  readonly measurePeakRss?: boolean;
}

/** A running CLI process. */
export interface CliProcess {
  readonly child: ChildProcess;
  /** Everything printed so far (stdout, then stderr). */
  output(): string;
  /** What stdout printed so far. */
  stdout(): string;
  /** Resolves with the first match of `pattern` in stdout; rejects when the process ends first or after `timeoutMs`. */
  waitForStdout(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray>;
  readonly done: Promise<CliResult>;
}

/** One output stream of the child, kept as bytes and as text. */
function collect(stream: NodeJS.ReadableStream): { text: () => string; bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  const decoder = new StringDecoder('utf8');
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    text += decoder.write(chunk);
  });
  return { text: () => text, bytes: () => Buffer.concat(chunks) };
}

/**
 * Starts `kvs-conformance …args` as a child process: the environment is this process's without
 * APIFY_TOKEN, plus FORCE_COLOR=0 and `env` (which may set APIFY_TOKEN again).
 */
export function spawnCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  options: CliOptions = {},
): CliProcess {
  const { APIFY_TOKEN: _dropped, ...inherited } = process.env;
  void _dropped;
  const measure = options.measurePeakRss === true && existsSync(TIME);
  const command = [process.execPath, CLI, ...args];
  const child = spawn(
    measure ? TIME : process.execPath,
    measure ? ['-f', 'kvsc-peak-rss-kb=%M', ...command] : command.slice(1),
    {
      env: { ...inherited, FORCE_COLOR: '0', ...env },
      stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    },
  );
  if (!child.stdout || !child.stderr) throw new Error('spawnCli: the child has no stdout/stderr pipes');
  const out = child.stdout;
  const stdout = collect(out);
  const stderr = collect(child.stderr);
  const done = new Promise<CliResult>((resolve) =>
    child.once('close', (code) => {
      const peak = measure ? PEAK_RSS_LINE.exec(stderr.text())?.[1] : undefined;
      const errText = measure ? stderr.text().replace(PEAK_RSS_LINE, '') : stderr.text();
      resolve({
        code,
        stdout: stdout.text(),
        stderr: errText,
        stdoutBytes: stdout.bytes(),
        stderrBytes: measure ? Buffer.from(errText) : stderr.bytes(),
        peakRssKb: peak === undefined ? undefined : Number(peak),
      });
    }),
  );
  const waitForStdout = (pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        out.off('data', check);
        reject(new Error(`no ${String(pattern)} in the output within ${timeoutMs} ms: ${output()}`));
      }, timeoutMs);
      const check = (): void => {
        const found = pattern.exec(stdout.text());
        if (!found) return;
        clearTimeout(timer);
        out.off('data', check);
        resolve(found);
      };
      out.on('data', check);
      check();
      void done.then(() => {
        clearTimeout(timer);
        reject(new Error(`the process exited (${String(child.exitCode ?? child.signalCode)}): ${output()}`));
      });
    });
  const output = (): string => stdout.text() + stderr.text();
  return { child, output, stdout: stdout.text, waitForStdout, done };
}

/** Runs `kvs-conformance …args` to the end. */
export function runCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  options: CliOptions = {},
): Promise<CliResult> {
  return spawnCli(args, env, options).done;
}
