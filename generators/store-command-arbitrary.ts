import fc from 'fast-check';
import type { ContractLimits } from '../harness/index.ts';
import { recordKeyArbitrary } from './record-key-arbitrary.ts';
import { recordValueArbitrary, type RecordValueSample } from './record-value-arbitrary.ts';

/**
 * One step of a stateful sequence, as plain data: which operation, on which of the sequence's
 * stores (`store`: an index taken modulo the stores made so far), with which name from the
 * sequence's name pool (`name`: an index, `null` for none) and which key, value and query.
 */
export type StoreCommandSpec =
  | { readonly op: 'createStore'; readonly name: number | null }
  | { readonly op: 'getStore'; readonly store: number }
  | { readonly op: 'getStoreByName'; readonly name: number }
  | { readonly op: 'renameStore'; readonly store: number; readonly name: number | null }
  | { readonly op: 'deleteStore'; readonly store: number }
  | {
      readonly op: 'putRecord';
      readonly store: number;
      readonly key: string;
      readonly method: 'PUT' | 'POST';
      readonly record: RecordValueSample;
    }
  | { readonly op: 'getRecord'; readonly store: number; readonly key: string }
  | { readonly op: 'headRecord'; readonly store: number; readonly key: string }
  | { readonly op: 'deleteRecord'; readonly store: number; readonly key: string }
  | {
      readonly op: 'listKeys';
      readonly store: number;
      readonly limit: number | undefined;
      readonly exclusiveStartKey: string | undefined;
      readonly prefix: string | undefined;
    }
  | { readonly op: 'listStores'; readonly desc: boolean; readonly unnamed: boolean }
  | { readonly op: 'downloadZip'; readonly store: number };

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
const SHARED_KEYS = ['a', 'a-b', 'a.c', 'b', 'B', "k(1)'", 'z_9'];
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

/** Record keys of a sequence: mostly the shared ones, sometimes any valid key. */
export function statefulKeyArbitrary(limits: ContractLimits): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...SHARED_KEYS) },
    { weight: 1, arbitrary: recordKeyArbitrary(limits, 8) },
  );
}

/**
 * One arbitrary per operation of a stateful sequence (the list `fc.commands` draws from). Store
 * and name indexes shrink toward 0, keys toward the first shared key, values toward empty.
 */
export function storeCommandArbitraries(limits: ContractLimits): fc.Arbitrary<StoreCommandSpec>[] {
  const store = fc.nat({ max: MAX_SEQUENCE_STORES - 1 });
  const name = fc.nat({ max: STORE_NAME_POOL_SIZE - 1 });
  const key = statefulKeyArbitrary(limits);
  const cursor = fc.option(fc.oneof(key, fc.constantFrom('a0', 'A', 'zz')), { nil: undefined });
  return [
    fc.record({ op: fc.constant('createStore' as const), name: fc.option(name, { nil: null }) }),
    fc.record({ op: fc.constant('getStore' as const), store }),
    fc.record({ op: fc.constant('getStoreByName' as const), name }),
    fc.record({ op: fc.constant('renameStore' as const), store, name: fc.option(name, { nil: null }) }),
    fc.record({ op: fc.constant('deleteStore' as const), store }),
    fc.record({
      op: fc.constant('putRecord' as const),
      store,
      key,
      method: fc.constantFrom('PUT' as const, 'POST' as const),
      record: statefulValueArbitrary(),
    }),
    fc.record({
      op: fc.constant('putRecord' as const),
      store,
      key,
      method: fc.constantFrom('PUT' as const, 'POST' as const),
      record: statefulValueArbitrary(),
    }),
    fc.record({ op: fc.constant('getRecord' as const), store, key }),
    fc.record({ op: fc.constant('headRecord' as const), store, key }),
    fc.record({ op: fc.constant('deleteRecord' as const), store, key }),
    fc.record({
      op: fc.constant('listKeys' as const),
      store,
      limit: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
      exclusiveStartKey: cursor,
      prefix: fc.option(fc.constantFrom(...PREFIXES), { nil: undefined }),
    }),
    fc.record({ op: fc.constant('listStores' as const), desc: fc.boolean(), unnamed: fc.boolean() }),
    fc.record({ op: fc.constant('downloadZip' as const), store }),
  ];
}
