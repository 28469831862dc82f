import type { KvsModel } from './kvs-model.ts';
import type { ModelViolation } from './model-violation.ts';

/** The fields of a store-list page the model judges. */
export interface JudgedStoreList {
  readonly total: number;
  readonly offset: number;
  readonly items: readonly { readonly id: string; readonly name?: string | null }[];
}

/**
 * Judges a store-list page (offset 0) against the model's stores: each live store listed once
 * under its current name (unnamed ones only with `unnamed`), no deleted store, and the model's
 * stores in creation order (reversed with `desc`). Other stores on the target are ignored; when
 * the page does not hold the whole list, a store missing from it is not judged.
 */
export function judgeStoreList(
  model: KvsModel,
  query: { readonly unnamed: boolean; readonly desc: boolean },
  page: JudgedStoreList,
): ModelViolation[] {
  const violations: ModelViolation[] = [];
  const complete = page.offset === 0 && page.items.length >= page.total;
  const position = new Map(page.items.map((item, index) => [item.id, index]));
  const listed = new Map(page.items.map((item) => [item.id, item]));
  for (const store of model.stores) {
    const item = listed.get(store.id);
    const label = `store s${store.handle} (${store.id})`;
    if (store.deleted) {
      if (item)
        violations.push({ ruleId: 'KVS-STATE-001', message: `${label} was deleted but is still listed` });
      continue;
    }
    if (store.name === null && !query.unnamed) {
      // KVS-PAGE-006: unnamed stores are listed only with unnamed=1.
      if (item)
        violations.push({ ruleId: 'KVS-PAGE-006', message: `unnamed ${label} is listed without unnamed=1` });
      continue;
    }
    if (!item) {
      if (complete)
        violations.push({ ruleId: 'KVS-STATE-001', message: `${label} exists but is not listed` });
      continue;
    }
    if ((item.name ?? null) !== store.name)
      violations.push({
        ruleId: 'KVS-STATE-001',
        message: `${label} is listed with name ${JSON.stringify(item.name ?? null)}, its name is ${JSON.stringify(store.name)}`,
      });
  }
  // KVS-PAGE-001 / KVS-PAGE-005: creation order, exactly reversed with desc=1.
  const order = model.stores
    .filter((store) => position.has(store.id))
    .map((store) => position.get(store.id) ?? 0);
  const sorted = [...order].sort((a, b) => (query.desc ? b - a : a - b));
  if (order.some((value, index) => value !== sorted[index]))
    violations.push({
      ruleId: query.desc ? 'KVS-PAGE-005' : 'KVS-PAGE-001',
      message: `the sequence's stores are listed out of creation order${query.desc ? ' (desc=1)' : ''}`,
    });
  return violations;
}
