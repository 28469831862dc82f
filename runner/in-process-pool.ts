import { Console } from 'node:console';
import { EventEmitter } from 'node:events';
import type { Writable } from 'node:stream';
import type { PoolOptions, PoolRunnerInitializer, PoolWorker, WorkerRequest } from 'vitest/node';

/**
 * A vitest pool that runs the suite side of a run in this process's own V8 isolate: vitest's
 * worker runtime (`vitest/worker`'s `init` with `runBaseTests`/`setupEnvironment`, what its
 * `threads` pool runs in a worker thread) talks to the pool over an in-process channel. No second
 * isolate loads the harness, fast-check, undici and apify-client again, cold: the suites import the
 * module instances the CLI has already loaded and compiled (bench/RESULTS.md, "One warm process, in
 * one isolate").
 */
export function inProcessPool(): PoolRunnerInitializer {
  return { name: IN_PROCESS_POOL, createPoolWorker: (options) => new InProcessWorker(options) };
}

/** The pool's name, as vitest's `pool` option shows it. */
const IN_PROCESS_POOL = 'kvs-in-process';

/**
 * One worker of the pool: the channel between vitest's pool runner and its worker runtime, and the
 * process-wide state that runtime changes, put back when the worker stops.
 */
class InProcessWorker implements PoolWorker {
  readonly name = IN_PROCESS_POOL;
  /** Messages from the worker side to the pool. */
  private readonly toPool = new EventEmitter();
  /** Messages from the pool to the worker side. */
  private readonly toWorker = new EventEmitter();
  private readonly options: PoolOptions;
  private restore: (() => void) | undefined;

  constructor(options: PoolOptions) {
    this.options = options;
  }

  on(event: string, callback: (arg: unknown) => void): void {
    this.toPool.on(event, callback);
  }

  off(event: string, callback: (arg: unknown) => void): void {
    this.toPool.off(event, callback);
  }

  send(message: WorkerRequest): void {
    deliver(this.toWorker, message);
  }

  deserialize(data: unknown): unknown {
    return data;
  }

  async start(): Promise<void> {
    // vitest starts a worker once per run of a project; a second start is a no-op, as for a thread.
    if (this.restore) return;
    const { logger, state } = this.options.project.vitest;
    this.restore = guardProcessState(logger.outputStream, logger.errorStream, (error, type) =>
      state.catchError(unhandledError(error), type),
    );
    try {
      const { init, runBaseTests, setupEnvironment } = await import('vitest/worker');
      init({
        post: (response) => deliver(this.toPool, response),
        on: (callback) => this.toWorker.on('message', callback),
        off: (callback) => this.toWorker.off('message', callback),
        teardown: () => this.toWorker.removeAllListeners('message'),
        runTests: (state, traces) => runBaseTests('run', state, traces),
        collectTests: (state, traces) => runBaseTests('collect', state, traces),
        setup: setupEnvironment,
      });
    } catch (error) {
      this.stopNow();
      throw error;
    }
  }

  stop(): Promise<void> {
    this.stopNow();
    return Promise.resolve();
  }

  /**
   * Detaches the channel and puts the process's state back. After a graceful stop (vitest's `stop`
   * message) the worker side has finished; a forced stop cannot end code running in this isolate,
   * only cut it off from the run (nothing it sends reaches the pool any more).
   */
  private stopNow(): void {
    this.toWorker.removeAllListeners();
    this.toPool.removeAllListeners();
    this.restore?.();
    this.restore = undefined;
  }
}

/**
 * Hands a message to the other side as a worker thread's `postMessage` would: a structured clone
 * (neither side sees the other's later changes to it, e.g. the worker's own `snapshotEnvironment`
 * set into the config it was sent), delivered on a later microtask, in order.
 */
function deliver(channel: EventEmitter, message: unknown): void {
  const copy = structuredClone(message);
  queueMicrotask(() => channel.emit('message', copy));
}

/** What vitest's worker runtime keeps of the test that is running (`__vitest_worker__`). */
interface RunningTest {
  readonly filepath?: string;
  readonly current?: { readonly type: string; readonly name: string };
}

/**
 * An error outside any test as the pool's reporters read it: plain data (a thread's worker runtime
 * sends it serialized), with the file and the test that were running when it came, as vitest adds.
 */
function unhandledError(error: unknown): unknown {
  const running = (globalThis as { __vitest_worker__?: RunningTest }).__vitest_worker__;
  const plain = plainError(error);
  if (typeof plain !== 'object' || plain === null) return plain;
  return {
    ...plain,
    VITEST_TEST_NAME: running?.current?.type === 'test' ? running.current.name : undefined,
    VITEST_TEST_PATH: running?.filepath,
  };
}

/** An error as plain data: its name, message, stack and cause. */
function plainError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  return {
    name: error.name,
    message: error.message,
    stack: error.stack,
    ...(error.cause === undefined ? {} : { cause: plainError(error.cause) }),
  };
}

/**
 * vitest's worker runtime keeps some state per process (once per process: its module runner, its
 * console, its process.exit guard and its error listeners) and sets other state per run (its worker
 * state global). In a thread that state dies with the thread; here it is set for the worker's
 * lifetime and taken back after, so that nothing leaks into the CLI, into a library
 * user's process, or into the next run in the same process (`--watch`, `matrix`):
 * - the console writes to vitest's output streams (the run's redacting ones), as a thread's stdout
 *   is piped there; in a process's first run vitest installs its own console over it, which sends
 *   the lines to the reporters;
 * - process.exit throws instead of ending the CLI in the middle of a run, as vitest makes it do;
 * - an uncaught exception or unhandled rejection is reported to the run as an unhandled error
 *   instead of ending the process: the process's other listeners for them (vitest's main side
 *   prints and exits; the caller's own) are taken off meanwhile, since in one isolate an error of
 *   the suites cannot be told from one of the CLI's side;
 * - vitest's globals are put back as they were (the environment variables it sets: runSuites).
 * Returns the function that puts everything back.
 */
function guardProcessState(
  stdout: Writable,
  stderr: Writable,
  report: (error: unknown, type: string) => void,
): () => void {
  const savedConsole = globalThis.console;
  const savedExit = process.exit.bind(process);
  const savedExitProperty = Object.getOwnPropertyDescriptor(process, 'exit');
  const savedGlobals = VITEST_GLOBALS.map((name) => ({
    name,
    descriptor: Object.getOwnPropertyDescriptor(globalThis, name),
  }));
  // Raw: a `once` listener stays one when it is put back.
  const savedUncaught = process.rawListeners('uncaughtException') as NodeJS.UncaughtExceptionListener[];
  const savedUnhandled = process.rawListeners('unhandledRejection') as NodeJS.UnhandledRejectionListener[];
  globalThis.console = new Console({ stdout, stderr });
  process.exit = (code?: string | number | null): never => {
    throw new Error(`process.exit unexpectedly called with "${String(code ?? process.exitCode ?? 0)}"`);
  };
  for (const listener of savedUncaught) process.off('uncaughtException', listener);
  for (const listener of savedUnhandled) process.off('unhandledRejection', listener);
  process.on('uncaughtException', (error) => report(error, 'Uncaught Exception'));
  process.on('unhandledRejection', (reason) => report(reason, 'Unhandled Rejection'));
  return () => {
    globalThis.console = savedConsole;
    if (savedExitProperty) Object.defineProperty(process, 'exit', savedExitProperty);
    else process.exit = savedExit;
    process.removeAllListeners('uncaughtException');
    process.removeAllListeners('unhandledRejection');
    for (const listener of savedUncaught) process.on('uncaughtException', listener);
    for (const listener of savedUnhandled) process.on('unhandledRejection', listener);
    for (const { name, descriptor } of savedGlobals) {
      const now = Object.getOwnPropertyDescriptor(globalThis, name);
      // vitest defines some of its globals for good (not configurable); those stay.
      if (now && !now.configurable) continue;
      if (descriptor) Object.defineProperty(globalThis, name, descriptor);
      else Reflect.deleteProperty(globalThis, name);
    }
  };
}

/** The globals vitest's worker runtime sets for a run (its worker state, its mocker, its timers). */
const VITEST_GLOBALS = ['__vitest_worker__', '__vitest_mocker__', '__vitest_required__'] as const;
