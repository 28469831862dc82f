import fc from 'fast-check';

/** One command of a concurrent stream: a write, read, existence check or delete of one shared record. */
export interface StreamCommand {
  readonly op: 'put' | 'get' | 'head' | 'delete';
  readonly key: string;
  /** A pause before the command (ms), so the streams spread over time and meet slow operations. */
  readonly pauseMs: number;
}

/** Two command streams run at once on one store, and the keys written before they start. */
export interface ConcurrentStreams {
  /** Keys that hold a record before the streams start (so overwrites and deletes meet reads). */
  readonly initial: readonly string[];
  readonly streams: readonly [readonly StreamCommand[], readonly StreamCommand[]];
}

/** The bound of the concurrency search: each stream has at most this many commands. */
export const MAX_STREAM_COMMANDS = 6;

/** The records the two streams share (two keys of one store: the same key, or a neighbour). */
export const STREAM_KEYS = ['a', 'b'] as const;

/**
 * Two streams of at most MAX_STREAM_COMMANDS commands each over the two shared keys of one store,
 * mostly writes and reads (so that writes overlap writes and reads of the same and the other
 * key), after a setup that writes some of the keys. Shrinks toward fewer, simpler commands.
 */
export function concurrentStreamsArbitrary(): fc.Arbitrary<ConcurrentStreams> {
  const command: fc.Arbitrary<StreamCommand> = fc.record({
    op: fc.oneof(
      { weight: 3, arbitrary: fc.constant('put' as const) },
      { weight: 3, arbitrary: fc.constant('get' as const) },
      { weight: 1, arbitrary: fc.constant('head' as const) },
      { weight: 1, arbitrary: fc.constant('delete' as const) },
    ),
    key: fc.constantFrom(...STREAM_KEYS),
    pauseMs: fc.constantFrom(0, 5, 10, 20),
  });
  const stream = fc.array(command, { minLength: 1, maxLength: MAX_STREAM_COMMANDS });
  return fc.record({
    initial: fc.subarray([...STREAM_KEYS]),
    streams: fc.tuple(stream, stream),
  });
}
