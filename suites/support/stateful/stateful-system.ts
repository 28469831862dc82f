import type { HttpApi, KvsDriver, StoreInfo } from '../../../harness/index.ts';
import type { SequenceTranscript } from './sequence-transcript.ts';

/**
 * The real side of one command sequence: the target through the HTTP API (or through a client
 * driver), and the sequence's record.
 */
export interface StatefulSystem {
  readonly api: HttpApi;
  /** The client driver the sequence runs through; absent: the HTTP API, judged answer by answer. */
  readonly driver?: KvsDriver | undefined;
  /** Journals a store a driver made on the target, for cleanup (the HTTP API journals its own). */
  readonly track: (store: StoreInfo) => void;
  /** The sequence's store names (fresh per sequence, so sequences never meet). */
  readonly names: readonly string[];
  readonly transcript: SequenceTranscript;
  /** Milliseconds on a monotonic clock, for the consistency window. */
  readonly now: () => number;
  /** The store (handle) the previous command used and the key the previous record command used: what `s=` and `key=` refer to. */
  readonly focus: { store: number; key: string };
}
