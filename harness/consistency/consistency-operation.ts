/** The kinds of change whose visibility `bench consistency` measures, in report order. */
export const CONSISTENCY_OPERATIONS = [
  'new-key',
  'overwrite',
  'versions',
  'delete',
  'list-add',
  'list-remove',
  'negative-cache',
  'store-create',
  'rename',
] as const;

/** The versions a `versions` trial writes by default: v1 settled, then v2, v3, v4 back to back. */
export const DEFAULT_VERSIONS = 4;

/** One kind of change the benchmark measures. */
export type ConsistencyOperation = (typeof CONSISTENCY_OPERATIONS)[number];

/** What each kind of change is, in words (reports and `--help`). */
export const OPERATION_DESCRIPTIONS: Readonly<Record<ConsistencyOperation, string>> = {
  'new-key': 'first write of a new key, read back',
  overwrite: 'overwrite of a key, read back',
  versions:
    'versions of a key written back to back (--versions), read back: how many versions old each read is (k-staleness)',
  delete: 'delete of a key, read back (404)',
  'list-add': 'new key appearing in the key listing',
  'list-remove': 'deleted key leaving the key listing',
  'negative-cache': 'key read (404), then created, read back',
  'store-create': 'store get-or-create by name, visible in the store list',
  rename: 'store rename, new name visible in the store list',
};

/** What one probe read showed: the state before the change, the change, or neither. */
export type ProbeState = 'old' | 'new' | 'other';

/** One probe read's classified answer with a short description (`200 "v2"`, `404`, `listed`). */
export interface ProbeReading {
  readonly state: ProbeState;
  readonly shown: string;
  /**
   * Where the versions a trial wrote can be told apart: how many versions older than the change
   * the read is (0: the change itself; 1: the version before it; …). Absent: not one of them.
   */
  readonly versionsOld?: number;
  /**
   * How long the answer's body took after its status line and headers (ms, Exchange.bodyMs): the
   * state it shows was read before its status was sent, so the read took effect by then.
   */
  readonly bodyMs?: number;
}
