import { judgeKeyListing } from './judge-key-listing.ts';
import type { KeyView } from './key-views.ts';
import type { ModelViolation } from './model-violation.ts';
import { utf8Order } from './utf8-order.ts';

/** A key listing's query, as sent. */
export interface KeysPageQuery {
  readonly limit?: number | undefined;
  readonly exclusiveStartKey?: string | undefined;
  readonly prefix?: string | undefined;
}

/** The fields of a key page the model judges. */
export interface JudgedKeysPage {
  readonly items: readonly { readonly key: string; readonly size: number }[];
  readonly count: number;
  readonly limit: number;
  readonly isTruncated: boolean;
  readonly exclusiveStartKey: string | null | undefined;
  readonly nextExclusiveStartKey: string | null | undefined;
}

/**
 * Judges one page of keys against what the model allows (`views`: every key the store may show,
 * from keyViewsOf; `deletedKeys`: keys deleted from this store): the page's own fields, order and
 * cursors, and its keys and sizes by judgeKeyListing. Under `strong` each key has one state, so
 * exactly one page is right; under `eventual` a key changed within the window may be listed or
 * not, with either size.
 */
export function judgeKeysPage(
  views: readonly KeyView[],
  deletedKeys: ReadonlySet<string>,
  query: KeysPageQuery,
  page: JudgedKeysPage,
  keysMaxLimit: number,
): ModelViolation[] {
  const violations: ModelViolation[] = [];
  const fail = (ruleId: ModelViolation['ruleId'], message: string): void => {
    violations.push({ ruleId, message });
  };
  const cursor = query.exclusiveStartKey;
  const prefix = query.prefix ?? '';
  const expectedLimit = Math.min(query.limit ?? keysMaxLimit, keysMaxLimit);
  // KVS-KEYS-009: count equals the items, at most the limit, which is min(requested, 1000).
  if (page.limit !== expectedLimit) fail('KVS-KEYS-009', `limit is ${page.limit}, expected ${expectedLimit}`);
  if (page.count !== page.items.length || page.items.length > expectedLimit)
    fail('KVS-KEYS-009', `count ${page.count} with ${page.items.length} items for limit ${expectedLimit}`);
  // KVS-KEYS-006: the page echoes exclusiveStartKey (null when none was given).
  if (page.exclusiveStartKey !== (cursor ?? null))
    fail(
      'KVS-KEYS-006',
      `exclusiveStartKey echoed as ${JSON.stringify(page.exclusiveStartKey)}, sent ${JSON.stringify(cursor ?? null)}`,
    );
  let previous: string | undefined;
  for (const item of page.items) {
    if (cursor !== undefined && utf8Order(item.key, cursor) <= 0)
      fail(
        'KVS-KEYS-006',
        `key ${JSON.stringify(item.key)} is not after exclusiveStartKey ${JSON.stringify(cursor)}`,
      );
    if (!item.key.startsWith(prefix))
      fail(
        'KVS-KEYS-007',
        `key ${JSON.stringify(item.key)} does not start with prefix ${JSON.stringify(prefix)}`,
      );
    if (previous !== undefined && utf8Order(previous, item.key) >= 0)
      fail('KVS-KEYS-002', `key ${JSON.stringify(item.key)} listed after ${JSON.stringify(previous)}`);
    previous = item.key;
  }
  // Keys up to the last listed one belong on this page; past it only when the page is not full and
  // not truncated (a full page claiming to be the last is KVS-KEYS-003 below).
  const last = page.items.at(-1)?.key;
  const full = page.isTruncated || page.items.length >= expectedLimit;
  const judged = judgeKeyListing(views, page.items, {
    after: cursor,
    prefix: query.prefix,
    through: full ? (last ?? cursor ?? '') : undefined,
  });
  for (const key of judged.unexpected)
    if (deletedKeys.has(key)) fail('KVS-RECORD-009', `deleted key ${JSON.stringify(key)} is still listed`);
    else fail('KVS-STATE-002', `key ${JSON.stringify(key)} is listed but was never written to this store`);
  for (const { key, size, allowed } of judged.wrongSizes)
    fail(
      'KVS-KEYS-008',
      `key ${JSON.stringify(key)} is listed with size ${size}; its value has ${allowed.join(' or ')} bytes`,
    );
  for (const key of judged.missing)
    fail(
      query.prefix === undefined ? 'KVS-KEYS-001' : 'KVS-KEYS-007',
      `key ${JSON.stringify(key)} of the store is missing from the page`,
    );
  // KVS-KEYS-003: isTruncated is true exactly when keys remain after the page.
  if (page.isTruncated && judged.mustRemain + judged.mayRemain === 0)
    fail('KVS-KEYS-003', `isTruncated is true but no key remains after ${JSON.stringify(last ?? null)}`);
  if (!page.isTruncated && full && judged.mustRemain > 0)
    fail('KVS-KEYS-003', `isTruncated is false but keys remain after ${JSON.stringify(last ?? null)}`);
  // KVS-KEYS-004 / KVS-KEYS-005: the cursor to the next page.
  if (page.isTruncated && page.nextExclusiveStartKey !== last)
    fail(
      'KVS-KEYS-004',
      `nextExclusiveStartKey is ${JSON.stringify(page.nextExclusiveStartKey)}, expected the last key ${JSON.stringify(last)}`,
    );
  if (!page.isTruncated && page.nextExclusiveStartKey !== null)
    fail(
      'KVS-KEYS-005',
      `the last page's nextExclusiveStartKey is ${page.nextExclusiveStartKey === undefined ? 'missing' : JSON.stringify(page.nextExclusiveStartKey)}, expected null`,
    );
  return violations;
}
