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
 * process.exit guard and its error listeners) and sets other state per run (its worker state
 * global). In a thread that state dies with the thread; here it is set for the worker's lifetime
 * and taken back after, so that nothing leaks into the CLI, into a library user's process, or into
 * the next run in the same process (`--watch`, `matrix`):
 * - the console writes to vitest's output streams (the run's redacting ones), as a thread's stdout
 *   is piped there (runner/vitest-project.ts turns vitest's own console off);
 * - process.exit throws instead of ending the CLI in the middle of a run, as vitest makes it do;
 * - an uncaught exception or unhandled rejection is reported to the run as an unhandled error
 *   instead of ending the process, and goes to no other listener (vitest's main side would print
 *   it and exit; a library user's own): in one isolate an error of the suites cannot be told from
 *   one of the CLI's side. Node emits both through `process.emit`, which is wrapped meanwhile
 *   (listeners are left alone: their owners add and remove them on their own schedule);
 * - the error listeners vitest's worker runtime adds and its globals are taken off again (the
 *   environment variables it sets: runSuites).
 * Returns the function that puts everything back.
 */
function guardProcessState(
  stdout: Writable,
  stderr: Writable,
  report: (error: unknown, type: string) => void,
): () => void {
  // Raw: the listeners as registered, to find those added meanwhile.
  const savedUncaught = process.rawListeners('uncaughtException');
  const savedUnhandled = process.rawListeners('unhandledRejection');
  const emit = process.emit.bind(process) as (event: string | symbol, ...args: unknown[]) => boolean;
  const restores = [
    ...VITEST_GLOBALS.map((name) => replaceOwn(globalThis, name, undefined)),
    replaceOwn(globalThis, 'console', new Console({ stdout, stderr })),
    replaceOwn(process, 'exit', (code?: string | number | null): never => {
      throw new Error(`process.exit unexpectedly called with "${String(code ?? process.exitCode ?? 0)}"`);
    }),
    replaceOwn(process, 'emit', (event: string | symbol, ...args: unknown[]): boolean => {
      if (event === 'uncaughtException') report(args[0], 'Uncaught Exception');
      else if (event === 'unhandledRejection') report(args[0], 'Unhandled Rejection');
      else return emit(event, ...args);
      return true;
    }),
  ];
  return () => {
    for (const restore of restores.reverse()) restore();
    for (const listener of process.rawListeners('uncaughtException'))
      if (!savedUncaught.includes(listener))
        process.off('uncaughtException', listener as NodeJS.UncaughtExceptionListener);
    for (const listener of process.rawListeners('unhandledRejection'))
      if (!savedUnhandled.includes(listener))
        process.off('unhandledRejection', listener as NodeJS.UnhandledRejectionListener);
  };
}

/**
 * Sets `target[name]` (undefined: leaves it as it is) and returns the function that puts back the
 * property as it was (its own descriptor, or none: the inherited one shows again). A property that
 * was made for good meanwhile (not configurable, as vitest defines `__vitest_index__`) stays.
 */
function replaceOwn(target: object, name: string, value: unknown): () => void {
  const saved = Object.getOwnPropertyDescriptor(target, name);
  if (value !== undefined) Object.defineProperty(target, name, { value, writable: true, configurable: true });
  return () => {
    if (Object.getOwnPropertyDescriptor(target, name)?.configurable === false) return;
    if (saved) Object.defineProperty(target, name, saved);
    else Reflect.deleteProperty(target, name);
  };
}

/** The globals vitest's worker runtime sets for a run (its worker state, its mocker, its timers). */
const VITEST_GLOBALS = ['__vitest_worker__', '__vitest_mocker__', '__vitest_required__'];
