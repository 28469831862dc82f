import { relative } from 'node:path';
import { ciRunSeed } from '../harness/config/ci-run-seed.ts';
import {
  loadConfigFile,
  runOptionsFromEnv,
  type RawRunOptions,
  type RunOptionSources,
} from '../harness/config/resolve-run-options.ts';
import type { RunSessionSetup } from '../runner/run-session.ts';
import { EXIT_CODES } from './exit-codes.ts';

/** A display path: relative to the working directory when inside it. */
export function shownPath(path: string): string {
  const shown = relative(process.cwd(), path);
  return shown.startsWith('..') ? path : shown;
}

/** Where a command's run options come from: its flags, the environment, the config file (`--config`) and the CI run's seed. */
export async function cliRunSources(
  flags: RawRunOptions,
  configFile: string | undefined,
): Promise<RunOptionSources> {
  const file = await loadConfigFile(configFile, process.cwd());
  return {
    flags,
    env: runOptionsFromEnv(process.env),
    ...(file ? { file } : {}),
    ciSeed: ciRunSeed(process.env),
  };
}

/**
 * The session setup of a command-line run (`run`, `matrix`, `replay`, `bench consistency`): the
 * embedded reference server wired in, progress lines on stdout, warnings on stderr, paths shown
 * relative to the working directory.
 */
export function cliSessionSetup(
  sources: RunOptionSources,
  out: RunSessionSetup['out'] = 'keep',
  notify: (line: string) => void = (line) => console.log(line),
): RunSessionSetup {
  return {
    sources,
    out,
    // Loaded when a run starts: the server is heavy, and `--help` does not pay for it.
    startEmbeddedServer: async (contract, options) =>
      (await import('../api/start-embedded-server.ts')).startEmbeddedServer(contract, options),
    hooks: { notify, warn: (line) => console.error(line), showPath: shownPath },
  };
}

/** What a command says and the exit code it sets when a signal came before its run started. */
export function reportInterruptedBeforeStart(setExitCode: (code: number) => void): void {
  console.error('kvs-conformance: interrupted before the run started; nothing was judged.');
  setExitCode(EXIT_CODES.toolError);
}
