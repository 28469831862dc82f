import { utf8Order } from '../contract/model/utf8-order.ts';
import type { KeyHistory } from './key-history.ts';

/** The keys a listing (or one page of it) covers. */
export interface ListingRange {
  /** Only keys after this one (exclusiveStartKey). */
  readonly after?: string;
  /** Only keys with this prefix. */
  readonly prefix?: string;
  /** Only keys up to this one (the last key of a truncated page); absent: to the end. */
  readonly through?: string;
}

/** A listing judged against the states the window allows (see KeyHistory). */
export interface ListingJudgement {
  /** Listed keys no allowed state holds: never written, or deleted long enough ago. */
  readonly unexpected: readonly string[];
  /** Keys in the range every allowed state holds, not listed. */
  readonly missing: readonly string[];
  /** Listed keys with a size no allowed state has. */
  readonly wrongSizes: readonly { readonly key: string; readonly size: number; readonly allowed: number[] }[];
  /** Keys after the range (and after `after`, with the prefix) that must, or may, still be listed. */
  readonly mustRemain: number;
  readonly mayRemain: number;
  /** The listing shows every key of the range as it is once every change has settled. */
  readonly complete: boolean;
}

/**
 * Judges listed keys against the states the window allows each key at the time of the listing
 * (sent at `sentAt`, answered at `answeredAt`, performance.now()): every key that must show does,
 * nothing that cannot show does, sizes are sizes the key may have, and how many keys may remain
 * after the range (for isTruncated). Order and cursors are judged on what is listed, by the caller.
 * Under `strong` (window 0) and with every change acknowledged before the listing, this is the exact
 * comparison with the store's keys.
 */
export function judgeKeyListing(
  history: KeyHistory,
  listed: readonly { readonly key: string; readonly size?: number }[],
  range: ListingRange,
  sentAt: number,
  answeredAt: number,
): ListingJudgement {
  const inScope = (key: string) =>
    (range.after === undefined || utf8Order(key, range.after) > 0) &&
    (range.prefix === undefined || key.startsWith(range.prefix));
  const inRange = (key: string) =>
    inScope(key) && (range.through === undefined || utf8Order(key, range.through) <= 0);
  const listedSizes = new Map(listed.map((item) => [item.key, item.size]));
  const unexpected: string[] = [];
  const wrongSizes: { key: string; size: number; allowed: number[] }[] = [];
  for (const item of listed) {
    const allowed = history.allowed(item.key, sentAt, answeredAt);
    if (allowed.presence === 'never') unexpected.push(item.key);
    else if (item.size !== undefined && !allowed.sizes.has(item.size))
      wrongSizes.push({ key: item.key, size: item.size, allowed: [...allowed.sizes] });
  }
  const missing: string[] = [];
  let mustRemain = 0;
  let mayRemain = 0;
  let complete = unexpected.length === 0 && wrongSizes.length === 0;
  for (const key of history.keys().sort(utf8Order)) {
    if (!inScope(key)) continue;
    const { presence } = history.allowed(key, sentAt, answeredAt);
    if (!inRange(key)) {
      if (presence === 'must') mustRemain += 1;
      else if (presence === 'may') mayRemain += 1;
      continue;
    }
    if (presence === 'must' && !listedSizes.has(key)) missing.push(key);
    const final = history.final(key);
    const size = listedSizes.get(key);
    if ((final !== null) !== listedSizes.has(key) || (size !== undefined && size !== final)) complete = false;
  }
  return {
    unexpected,
    missing,
    wrongSizes,
    mustRemain,
    mayRemain,
    complete: complete && missing.length === 0,
  };
}
