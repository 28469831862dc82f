import fc from 'fast-check';
import type { ContractLimits } from '../harness/index.ts';
import { recordKeyArbitrary } from './record-key-arbitrary.ts';
import { recordValueArbitrary, type RecordValueSample } from './record-value-arbitrary.ts';

/**
 * A store of the sequence: an index (taken modulo the stores made so far), the store the previous
 * command used or made (`focus`), or the store after that one (`other`). References to what the
 * sequence just did make histories meet (write, change, read the same record) within a few
 * commands, where independent draws would rarely line up.
 */
export type StoreRef = number | 'focus' | 'other';

/**
 * A store name: an index into the sequence's name pool, `focus` (the name the focus store has, or
 * last had: re-creating a deleted name, renaming onto its own name) or `other` (the name of the
 * store after it: get-or-create of a taken name, renaming onto a taken name).
 */
export type NameRef = number | 'focus' | 'other';

/** A record key: a literal key, or `null` for the key the previous record command used. */
export type KeyRef = string | null;

/**
 * One step of a stateful sequence, as plain data: which operation, on which of the sequence's
 * stores, with which name from the sequence's name pool (`name`: an index, `null` for none) and
 * which key, value and query.
 */
export type StoreCommandSpec =
  | { readonly op: 'createStore'; readonly name: NameRef | null }
  | { readonly op: 'getStore'; readonly store: StoreRef }
  | { readonly op: 'getStoreByName'; readonly name: NameRef }
  | { readonly op: 'renameStore'; readonly store: StoreRef; readonly name: NameRef | null }
  | { readonly op: 'deleteStore'; readonly store: StoreRef }
  | {
      readonly op: 'putRecord';
      readonly store: StoreRef;
      readonly key: KeyRef;
      readonly method: 'PUT' | 'POST';
      readonly record: RecordValueSample;
    }
  | { readonly op: 'getRecord'; readonly store: StoreRef; readonly key: KeyRef }
  | { readonly op: 'headRecord'; readonly store: StoreRef; readonly key: KeyRef }
  | { readonly op: 'deleteRecord'; readonly store: StoreRef; readonly key: KeyRef }
  | {
      readonly op: 'listKeys';
      readonly store: StoreRef;
      readonly limit: number | undefined;
      readonly exclusiveStartKey: KeyRef | undefined;
      readonly prefix: KeyRef | undefined;
    }
  | { readonly op: 'listStores'; readonly desc: boolean; readonly unnamed: boolean }
  | { readonly op: 'downloadZip'; readonly store: StoreRef };

/** The operations of a stateful sequence. */
export type StoreCommandOp = StoreCommandSpec['op'];

/** How many names a sequence's pool has (renames back, onto taken names and re-creates need few). */
export const STORE_NAME_POOL_SIZE = 4;

/** At most this many stores per sequence (2–4 at once, so cross-store interference can show). */
export const MAX_SEQUENCE_STORES = 4;

/**
 * A few keys shared by every sequence, so writes, deletes and listings meet on the same keys and
 * prefixes (`a` is a prefix of `a-b`, `a.c`; `B` sorts before `a` in UTF-8).
 */
const SHARED_KEYS = ['a', 'B', 'a-b', 'a.c', 'b', "k(1)'", 'z_9'];
const PREFIXES = ['a', 'a-', 'b', 'k', 'z', 'q'];

/**
 * Values a sequence writes: the record generator's JSON, non-ASCII text, raw bytes and other
 * media types, plus JSON that is not compact and empty bodies.
 */
export function statefulValueArbitrary(): fc.Arbitrary<RecordValueSample> {
  const prettyJson = fc.jsonValue({ maxDepth: 2 }).map((value) => ({
    value: Buffer.from(JSON.stringify(value, null, 2) ?? 'null'),
    contentType: 'application/json; charset=utf-8',
  }));
  const empty = fc
    .constantFrom('text/plain; charset=utf-8', 'application/octet-stream')
    .map((contentType) => ({
      value: Buffer.alloc(0),
      contentType,
    }));
  return fc.oneof(
    { weight: 4, arbitrary: recordValueArbitrary(96) },
    { weight: 1, arbitrary: prettyJson },
    { weight: 1, arbitrary: empty },
  );
}

/**
 * Record keys of a sequence: mostly two shared ones (so writes, deletes and reads meet on the
 * same key within a few commands), sometimes the other shared keys or any valid key.
 */
export function statefulKeyArbitrary(limits: ContractLimits): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...SHARED_KEYS.slice(0, 2)) },
    { weight: 3, arbitrary: fc.constantFrom(...SHARED_KEYS.slice(2)) },
    { weight: 1, arbitrary: recordKeyArbitrary(limits, 8) },
  );
}

/**
 * How often each operation is drawn, relative to the others (`fc.commands` draws uniformly from its
 * list, so an operation appears this many times in it): record operations dominate, so that
 * writes, deletes and reads of the same keys meet within a few commands; store operations are
 * rarer, since a deleted store leaves little to see.
 */
export const STORE_COMMAND_WEIGHTS: Readonly<Record<StoreCommandOp, number>> = {
  createStore: 2,
  getStore: 1,
  getStoreByName: 1,
  renameStore: 1,
  deleteStore: 1,
  listStores: 1,
  putRecord: 4,
  getRecord: 2,
  headRecord: 1,
  deleteRecord: 2,
  listKeys: 2,
  downloadZip: 1,
};

/**
 * The arbitraries `fc.commands` draws from: every operation of a stateful sequence, each as often
 * as STORE_COMMAND_WEIGHTS says. Store and name indexes shrink toward 0, keys toward the first
 * shared key, values toward empty.
 */
export function storeCommandArbitraries(limits: ContractLimits): fc.Arbitrary<StoreCommandSpec>[] {
  const store: fc.Arbitrary<StoreRef> = fc.oneof(
    { weight: 3, arbitrary: fc.constant('focus' as const) },
    { weight: 1, arbitrary: fc.constant('other' as const) },
    { weight: 2, arbitrary: fc.nat({ max: MAX_SEQUENCE_STORES - 1 }) },
  );
  const name: fc.Arbitrary<NameRef> = fc.oneof(
    fc.nat({ max: STORE_NAME_POOL_SIZE - 1 }),
    fc.constantFrom('focus' as const, 'other' as const),
  );
  const key: fc.Arbitrary<KeyRef> = fc.oneof(
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: statefulKeyArbitrary(limits) },
  );
  // A cursor: mostly the key the previous record command used (just written or deleted), else a
  // shared key, a key no store holds, or none.
  const cursor = fc.oneof(
    { weight: 3, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: statefulKeyArbitrary(limits) },
    { weight: 1, arbitrary: fc.constantFrom('a0', 'A', 'zz') },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
  // A prefix: the focus key itself (a key is a prefix of itself), one of a few, or none.
  const prefix = fc.oneof(
    { weight: 2, arbitrary: fc.constant(null) },
    { weight: 2, arbitrary: fc.constantFrom(...PREFIXES) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
  const byOp: { readonly [Op in StoreCommandOp]: fc.Arbitrary<Extract<StoreCommandSpec, { op: Op }>> } = {
    createStore: fc.record({ op: fc.constant('createStore'), name: fc.option(name, { nil: null }) }),
    getStore: fc.record({ op: fc.constant('getStore'), store }),
    getStoreByName: fc.record({ op: fc.constant('getStoreByName'), name }),
    renameStore: fc.record({ op: fc.constant('renameStore'), store, name: fc.option(name, { nil: null }) }),
    deleteStore: fc.record({ op: fc.constant('deleteStore'), store }),
    putRecord: fc.record({
      op: fc.constant('putRecord'),
      store,
      key,
      method: fc.constantFrom('PUT' as const, 'POST' as const),
      record: statefulValueArbitrary(),
    }),
    getRecord: fc.record({ op: fc.constant('getRecord'), store, key }),
    headRecord: fc.record({ op: fc.constant('headRecord'), store, key }),
    deleteRecord: fc.record({ op: fc.constant('deleteRecord'), store, key }),
    // Half of the listings are plain (no query): the first page, which most bugs show on.
    listKeys: fc.oneof(
      fc.record({
        op: fc.constant('listKeys'),
        store,
        limit: fc.constant(undefined),
        exclusiveStartKey: fc.constant(undefined),
        prefix: fc.constant(undefined),
      }),
      fc.record({
        op: fc.constant('listKeys'),
        store,
        limit: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
        exclusiveStartKey: cursor,
        prefix,
      }),
    ),
    listStores: fc.record({ op: fc.constant('listStores'), desc: fc.boolean(), unnamed: fc.boolean() }),
    downloadZip: fc.record({ op: fc.constant('downloadZip'), store }),
  };
  return (Object.keys(byOp) as StoreCommandOp[]).flatMap((op) =>
    Array.from({ length: STORE_COMMAND_WEIGHTS[op] }, (): fc.Arbitrary<StoreCommandSpec> => byOp[op]),
  );
}
