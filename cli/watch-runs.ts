import { existsSync, watch, type FSWatcher } from 'node:fs';
import { resolve, sep } from 'node:path';
import { HarnessError } from '../harness/errors.ts';
import type { ConformanceReport } from '../reports/index.ts';
import { verdictChanges, verdictsOf, type VerdictsById } from './verdict-changes.ts';

/** File events closer together than this start one run. */
const DEBOUNCE_MS = 300;

/** What starts the next run, or ends watch mode. */
type Trigger = 'key' | 'file' | 'quit';

/** What watch mode needs from the run command. */
export interface WatchRunsOptions {
  /** One run against the target, with its report written; `undefined` when the run was interrupted. */
  readonly runOnce: () => Promise<ConformanceReport | undefined>;
  /** Files or folders whose changes start a run. */
  readonly paths: readonly string[];
  /** A folder whose changes are ignored (the report folder, which every run writes). */
  readonly ignored: string;
  /** Where key presses come from: raw keys on a terminal, else one command per line. */
  readonly input: NodeJS.ReadStream;
  /** Aborted on SIGINT/SIGTERM. */
  readonly stop: AbortSignal;
  readonly print: (line: string) => void;
  /** Where the HTML report is, for the summary line. */
  readonly reportPath: string;
}

/** One command of the keyboard: Enter or r re-runs, q (or Ctrl-C on a raw terminal) quits. */
function command(key: string): Trigger | undefined {
  const text = key.trim().toLowerCase();
  if (text === '' || text === 'r') return 'key';
  if (text === 'q' || text === '\u0003') return 'quit';
  return undefined;
}

function summary(run: number, report: ConformanceReport, changed: number, reportPath: string): string {
  const { totals } = report;
  const changes = run === 1 ? '' : `; ${changed} verdict(s) changed`;
  return `run ${run}: ${report.verdict.toUpperCase()} — ${totals.pass} passed, ${totals.fail} failed (${totals.mustFail} MUST), ${totals.inconclusive} not checked, ${totals.skipped} not asked for${changes}; report ${reportPath} (Enter or r: run again, q: quit)`;
}

/**
 * `run --watch`: runs, then waits for a key press or a change under the watched paths and runs
 * again (same seed, so a changed verdict comes from the target, not from new random cases),
 * printing only the rules whose verdict changed and a one-line summary. Resolves when the user
 * quits, input ends (without watched paths) or a signal arrives.
 */
export async function watchRuns(options: WatchRunsOptions): Promise<void> {
  const missing = options.paths.find((path) => !existsSync(path));
  if (missing)
    throw new HarnessError('KVSC_USAGE', `--watch-path ${missing} does not exist; allowed: a file or folder`);
  const ignored = resolve(options.ignored) + sep;
  const pending: Trigger[] = [];
  let wake: (() => void) | undefined;
  const push = (trigger: Trigger): void => {
    // Many triggers while a run is on start one run after it; a quit wins over everything.
    if (trigger === 'quit' || !pending.includes(trigger)) pending.push(trigger);
    wake?.();
  };

  let debounce: NodeJS.Timeout | undefined;
  // fs.watch is recursive on Linux, macOS and Windows from Node 20 on: no watcher library needed.
  const watchers: FSWatcher[] = options.paths.map((path) =>
    watch(path, { recursive: true }, (_event, file) => {
      const changed = resolve(path, file ?? '');
      if ((changed + sep).startsWith(ignored)) return;
      clearTimeout(debounce);
      debounce = setTimeout(() => push('file'), DEBOUNCE_MS);
    }),
  );
  const { input } = options;
  const raw = input.isTTY;
  if (raw) input.setRawMode(true);
  input.setEncoding('utf8');
  let buffered = '';
  const onData = (chunk: string): void => {
    if (raw) {
      for (const key of chunk) {
        const trigger = command(key);
        if (trigger) push(trigger);
      }
      return;
    }
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      const trigger = command(line);
      if (trigger) push(trigger);
    }
  };
  const onEnd = (): void => {
    if (options.paths.length === 0) push('quit');
  };
  const onStop = (): void => push('quit');
  input.on('data', onData);
  input.once('end', onEnd);
  options.stop.addEventListener('abort', onStop, { once: true });

  let previous: VerdictsById | undefined;
  try {
    for (let run = 1; ; run++) {
      let report: ConformanceReport | undefined;
      try {
        report = await options.runOnce();
        if (report === undefined) break;
      } catch (error) {
        // A target that is down for a moment (restarting) does not end watch mode.
        if (!(error instanceof HarnessError)) throw error;
        options.print(`run ${run}: kvs-conformance: ${error.message} (Enter or r: run again, q: quit)`);
      }
      if (report !== undefined) {
        const changes = verdictChanges(previous, report);
        for (const line of changes) options.print(line);
        options.print(summary(run, report, changes.length, options.reportPath));
        previous = verdictsOf(report);
      }
      if (options.stop.aborted) break;
      while (pending.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      if (pending.includes('quit')) break;
      const reason = pending.includes('file') ? 'a watched file changed' : 'asked';
      pending.length = 0;
      options.print(`run ${run + 1}: ${reason}; running again…`);
    }
  } finally {
    clearTimeout(debounce);
    for (const watcher of watchers) watcher.close();
    options.stop.removeEventListener('abort', onStop);
    input.off('data', onData);
    input.off('end', onEnd);
    if (raw) input.setRawMode(false);
    input.pause();
  }
}
