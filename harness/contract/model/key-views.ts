import type { ModelRecord, RecordHistory } from './record-history.ts';
import { utf8Order } from './utf8-order.ts';

/** What one key may show to a listing or zip download sent at a given time. */
export interface KeyView {
  readonly key: string;
  /** The states it may show, the newest first; `undefined` among them means the key may be absent. */
  readonly states: readonly (ModelRecord | undefined)[];
  /** The state once every change has settled. */
  readonly current: ModelRecord | undefined;
}

/**
 * Every key of `records` a listing sent at `sentAt` (answered at `answeredAt`) may show under a
 * window of `windowMs`, in UTF-8 binary order, with the states it may show; keys that can only be
 * absent are left out.
 */
export function keyViewsOf(
  records: ReadonlyMap<string, RecordHistory>,
  sentAt: number,
  windowMs: number,
  answeredAt?: number,
): KeyView[] {
  return [...records]
    .map(([key, history]) => ({
      key,
      states: history.candidates(sentAt, windowMs, answeredAt),
      current: history.current,
    }))
    .filter((view) => view.states.some((state) => state !== undefined))
    .sort((a, b) => utf8Order(a.key, b.key));
}
