import type { KeyView } from './key-views.ts';
import { utf8Order } from './utf8-order.ts';

/** The keys a listing (or one page of it) covers. */
export interface ListingRange {
  /** Only keys after this one (exclusiveStartKey). */
  readonly after?: string | undefined;
  /** Only keys with this prefix. */
  readonly prefix?: string | undefined;
  /** Only keys up to this one (the last key of a truncated or full page); absent: to the end. */
  readonly through?: string | undefined;
}

/** A listing judged against the states the window allows each key (see RecordHistory). */
export interface ListingJudgement {
  /** Listed keys no allowed state holds: never written, or deleted at least the window ago. */
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
 * Judges listed keys against what the window allows each key (`views`, from keyViewsOf at the
 * listing's times): every key that must show does, nothing that cannot show does, sizes are sizes
 * the key may have, and how many keys must or may remain after the range (for isTruncated). Order,
 * counts and cursors are judged on what is listed, by the caller. Under `strong` (window 0), with
 * every change acknowledged before the listing, each key has one state: the exact comparison.
 */
export function judgeKeyListing(
  views: readonly KeyView[],
  listed: readonly { readonly key: string; readonly size?: number | undefined }[],
  range: ListingRange,
): ListingJudgement {
  const inScope = (key: string): boolean =>
    (range.after === undefined || utf8Order(key, range.after) > 0) &&
    (range.prefix === undefined || key.startsWith(range.prefix));
  const inRange = (key: string): boolean =>
    inScope(key) && (range.through === undefined || utf8Order(key, range.through) <= 0);
  const byKey = new Map(views.map((view) => [view.key, view]));
  const sizesOf = (view: KeyView | undefined): number[] =>
    (view?.states ?? []).flatMap((state) => (state ? [state.value.length] : []));
  const listedSizes = new Map(listed.map((item) => [item.key, item.size]));
  const unexpected: string[] = [];
  const wrongSizes: { key: string; size: number; allowed: number[] }[] = [];
  for (const item of listed) {
    const sizes = sizesOf(byKey.get(item.key));
    if (sizes.length === 0) unexpected.push(item.key);
    else if (item.size !== undefined && !sizes.includes(item.size))
      wrongSizes.push({ key: item.key, size: item.size, allowed: [...new Set(sizes)] });
  }
  const missing: string[] = [];
  let mustRemain = 0;
  let mayRemain = 0;
  let complete = unexpected.length === 0 && wrongSizes.length === 0;
  for (const view of views) {
    if (!inScope(view.key)) continue;
    const must = view.states.every((state) => state !== undefined);
    if (!inRange(view.key)) {
      if (must) mustRemain += 1;
      else mayRemain += 1;
      continue;
    }
    if (must && !listedSizes.has(view.key)) missing.push(view.key);
    const size = listedSizes.get(view.key);
    if (
      (view.current !== undefined) !== listedSizes.has(view.key) ||
      (size !== undefined && size !== view.current?.value.length)
    )
      complete = false;
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
