/** What a record holds in the model: its exact bytes and the Content-Type it was written with. */
export interface ModelRecord {
  readonly value: Buffer;
  readonly contentType: string;
}

/** One write or delete of a key: the state it leaves, when it was sent and when it was acknowledged. */
interface KeyChange {
  readonly state: ModelRecord | undefined;
  readonly sentAt: number;
  /** Infinity while unanswered, and for good when the request failed (it may or may not have happened). */
  ackedAt: number;
}

/** A change in flight: acknowledge it once the target answered. */
export interface PendingChange {
  ack(at: number): void;
}

/**
 * One key's history: every write and delete with the time it was sent and the time the target
 * acknowledged it, so that what a read or listing may show is judged against the states the
 * consistency window allows. A change acknowledged at least W before the read was sent must show,
 * with nothing older; a change acknowledged since, or sent before the answer came back and not
 * (yet) acknowledged, may or may not; before the first change the key is absent (KVS-CONS-003: "reads
 * after an overwrite or delete show the new state within the window"; KVS-CONS-004 for listings).
 * Under `strong` W = 0: once every change is acknowledged before the read, only the latest state
 * may show (KVS-CONS-002). Pure: times are given, never read from a clock.
 */
export class RecordHistory {
  readonly #changes: KeyChange[] = [];
  #readBeforeWrite = false;

  /** The state once every change has settled (what a read must show under `strong`). */
  get current(): ModelRecord | undefined {
    return this.#changes.at(-1)?.state;
  }

  /** How the key last changed: written while empty, written over a record, or deleted. */
  get lastChange(): 'created' | 'overwritten' | 'deleted' | undefined {
    const last = this.#changes.at(-1);
    if (!last) return undefined;
    if (last.state === undefined) return 'deleted';
    return this.#changes.at(-2)?.state === undefined ? 'created' : 'overwritten';
  }

  /** Whether the key was deleted at least once while it held a record. */
  get wasDeleted(): boolean {
    return this.#changes.some(
      (change, i) => change.state === undefined && this.#changes[i - 1]?.state !== undefined,
    );
  }

  /** Notes a change sent at `sentAt`, in flight until acknowledged (never acknowledged: in flight for good). */
  begin(next: ModelRecord | undefined, sentAt: number): PendingChange {
    const change: KeyChange = { state: next, sentAt, ackedAt: Infinity };
    this.#changes.push(change);
    return {
      ack: (at) => {
        change.ackedAt = at;
      },
    };
  }

  /** Notes a read of the key; one before its first write exempts the key from read-after-write (KVS-CONS-001). */
  noteRead(): void {
    if (this.#changes.length === 0) this.#readBeforeWrite = true;
  }

  /** Notes a change acknowledged at `at` (sent no later: a sequence's changes one after another). */
  set(next: ModelRecord | undefined, at: number): void {
    this.begin(next, at).ack(at);
  }

  /**
   * The states a read sent at `sentAt` (and answered at `answeredAt`; by default every noted change
   * was sent before the answer) may show, the newest first: the newest state acknowledged at least
   * `windowMs` before the read was sent (absent if none), and every later one.
   */
  candidates(sentAt: number, windowMs: number, answeredAt = Infinity): (ModelRecord | undefined)[] {
    const changes = this.#changes.filter((change) => change.sentAt <= answeredAt);
    const settled = changes.findLastIndex((change) => change.ackedAt + windowMs <= sentAt);
    const states = [settled === -1 ? undefined : changes[settled]?.state];
    for (const change of changes.slice(settled + 1)) states.push(change.state);
    return states.reverse();
  }

  /**
   * The states a GET sent at `sentAt` may show: as `candidates`, but a key written for the first
   * time, not read before, and acknowledged before the GET was sent is never absent (KVS-CONS-001:
   * "a record written for the first time is readable with its value by the next GET, unless the
   * profile is eventual and the key was read (404) just before").
   */
  getCandidates(sentAt: number, windowMs: number): (ModelRecord | undefined)[] {
    const states = this.candidates(sentAt, windowMs);
    const [first] = this.#changes;
    // Absent before the first write is the last state only while no change has settled.
    const initialAbsence = !this.#changes.some((change) => change.ackedAt + windowMs <= sentAt);
    const newKey = first?.state !== undefined && first.ackedAt <= sentAt && !this.#readBeforeWrite;
    return initialAbsence && newKey ? states.slice(0, -1) : states;
  }
}
