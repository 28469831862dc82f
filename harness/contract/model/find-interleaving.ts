/**
 * One operation on one record, as a concurrent run saw it: what it did or read, and when it was
 * sent and answered (milliseconds on one monotonic clock). A state is the label of the write that
 * made it (values are unique per write) or `null` for no record.
 */
export type KeyOperation =
  | { readonly kind: 'write'; readonly label: string | null; readonly start: number; readonly end: number }
  | { readonly kind: 'read'; readonly saw: string | null; readonly start: number; readonly end: number }
  | { readonly kind: 'exists'; readonly saw: boolean; readonly start: number; readonly end: number };

/** A read of a record's value or of its existence. */
export type KeyRead = Extract<KeyOperation, { kind: 'read' | 'exists' }>;

const isRead = (operation: KeyOperation): operation is KeyRead => operation.kind !== 'write';

/** Why a key's operations fit no interleaving the model allows: the read none explains. */
export interface InterleavingMisfit {
  /** The first read (by its answer) that no allowed order of the operations before it explains. */
  readonly read: KeyRead;
}

/** The most operations on one key the strong search takes (2^n memoised states). */
export const MAX_KEY_OPERATIONS = 24;

const shows = (operation: KeyOperation, state: string | null): boolean =>
  operation.kind === 'write' ||
  (operation.kind === 'read' ? operation.saw === state : operation.saw === (state !== null));

/**
 * Strong (linearizable): Wing & Gong's search with memoisation (as in Knossos / Lowe's
 * just-in-time check). It takes operations one at a time, each only when no operation still left
 * was answered before it was sent (the real-time order of operations that do not overlap), keeps
 * the record's state, and remembers every (set taken, state) pair that led nowhere, so each is
 * explored once: at most 2^n × (writes + 1) steps for n operations.
 */
function linearizable(operations: readonly KeyOperation[], initial: string | null): boolean {
  const all = (1 << operations.length) - 1;
  const dead = new Set<string>();
  const search = (taken: number, state: string | null): boolean => {
    if (taken === all) return true;
    const memo = `${taken}|${state ?? ''}`;
    if (dead.has(memo)) return false;
    // The earliest answer among the operations left: an operation sent after it cannot come next.
    let firstEnd = Infinity;
    operations.forEach((operation, index) => {
      if ((taken & (1 << index)) === 0) firstEnd = Math.min(firstEnd, operation.end);
    });
    for (const [index, operation] of operations.entries()) {
      if ((taken & (1 << index)) !== 0 || operation.start > firstEnd || !shows(operation, state)) continue;
      if (search(taken | (1 << index), operation.kind === 'write' ? operation.label : state)) return true;
    }
    dead.add(memo);
    return false;
  };
  return search(0, initial);
}

/**
 * Eventual, within the window (Δ-atomicity, Golab et al., with Δ = the window): a read may show
 * the state of any write sent before the read was answered, unless a write sent after that write
 * was answered (so surely later) was itself answered more than `windowMs` before the read was sent.
 * Judged read by read; the state before every write is `initial`.
 */
function withinWindow(
  operations: readonly KeyOperation[],
  initial: string | null,
  windowMs: number,
): InterleavingMisfit | undefined {
  const writes = operations.filter((operation) => operation.kind === 'write');
  const sources = [{ label: initial, start: -Infinity, end: -Infinity }, ...writes];
  for (const read of operations) {
    if (!isRead(read)) continue;
    const allowed = sources.filter(
      (source) =>
        source.start < read.end &&
        !writes.some((later) => later.start > source.end && later.end + windowMs < read.start),
    );
    if (!allowed.some((source) => shows(read, source.label))) return { read };
  }
  return undefined;
}

/**
 * Whether the operations on one record, run by concurrent streams, fit an order the model allows:
 * under `strong` (windowMs 0) some linearization (each operation takes effect at one instant
 * between its sending and its answer, and every read shows the latest write); under `eventual`
 * each read shows a state current less than the window before it. Returns the misfit, or
 * undefined when they fit. Bounded: at most MAX_KEY_OPERATIONS operations per key.
 */
export function findInterleavingMisfit(
  operations: readonly KeyOperation[],
  initial: string | null,
  windowMs: number,
): InterleavingMisfit | undefined {
  if (operations.length > MAX_KEY_OPERATIONS)
    throw new RangeError(
      `${operations.length} operations on one key; the search takes ${MAX_KEY_OPERATIONS}`,
    );
  if (windowMs > 0) return withinWindow(operations, initial, windowMs);
  if (linearizable(operations, initial)) return undefined;
  // The first read (by its answer) that no order of what came before it explains.
  const reads = operations.filter(isRead).sort((a, b) => a.end - b.end);
  const read = reads.find(
    (candidate) =>
      !linearizable(
        operations.filter((operation) =>
          operation.kind === 'write' ? operation.start <= candidate.end : operation.end <= candidate.end,
        ),
        initial,
      ),
  );
  const blamed = read ?? reads.at(-1);
  // Writes alone always fit some order: a misfit always has a read to blame.
  return blamed && { read: blamed };
}
