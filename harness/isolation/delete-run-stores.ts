import type { HttpApi } from '../drivers/http-api.ts';
import { readCreatedStores } from './run-namespace.ts';

/** What cleanup did. */
export interface CleanupResult {
  readonly deleted: number;
  /** Stores that could not be deleted, with the reason (they stay on the target). */
  readonly left: readonly { readonly id: string; readonly reason: string }[];
}

/**
 * Deletes exactly the stores this run created: every id in the journal, plus any named store
 * whose name carries the run's unique prefix (created but not journaled when a worker was killed).
 * Nothing else on the target is touched.
 */
export async function deleteRunStores(
  api: HttpApi,
  journalFile: string,
  prefix: string,
): Promise<CleanupResult> {
  const ids = new Set(readCreatedStores(journalFile).map((store) => store.id));
  for (let offset = 0; ; offset += 1000) {
    const page = await api
      .call('keyValueStores_get', { query: { offset, limit: 1000 }, unchecked: true })
      .catch(() => undefined);
    if (page?.status !== 200) break;
    const items = page.json<{ data: { items: { id: string; name: string | null }[] } }>().data.items;
    for (const store of items) if (store.name?.startsWith(prefix)) ids.add(store.id);
    if (items.length < 1000) break;
  }
  const left: { id: string; reason: string }[] = [];
  let deleted = 0;
  await Promise.all(
    [...ids].map(async (storeId) => {
      const response = await api
        .call('keyValueStore_delete', { storeId, unchecked: true })
        .catch((error: Error) => error);
      if (response instanceof Error)
        left.push({ id: storeId, reason: response.message.split('\n')[0] ?? '' });
      else if (response.status === 204) deleted += 1;
      else if (response.status !== 404)
        left.push({ id: storeId, reason: `DELETE answered ${response.status}` });
    }),
  );
  return { deleted, left };
}
