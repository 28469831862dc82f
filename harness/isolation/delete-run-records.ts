import type { HttpApi } from '../drivers/http-api.ts';

/** What the cleanup of a run's default store did (`--run-id`): the store itself is never deleted. */
export interface RecordCleanup {
  readonly deleted: number;
  /** Keys of this run still in the store, with the reason. */
  readonly left: readonly { readonly key: string; readonly reason: string }[];
  readonly problems: readonly string[];
}

/** Most key pages read. */
const MAX_PAGES = 100;

/**
 * Deletes every record this run wrote in the run's default store: the keys under the run prefix
 * (`view`, from RunStoreViews.everyKeyOfTheRun), listed through the alias paths page by page and
 * deleted one by one. Keys of anyone else are never touched.
 */
export async function deleteRunRecords(api: HttpApi, view: string): Promise<RecordCleanup> {
  let deleted = 0;
  const left: { key: string; reason: string }[] = [];
  const problems: string[] = [];
  // Each key once: a listing that still shows a deleted key (replica lag) does not loop.
  const seen = new Set<string>();
  for (let page = 0; ; page += 1) {
    if (page === MAX_PAGES) {
      problems.push(`the key listing did not end after ${MAX_PAGES} pages; stopped`);
      break;
    }
    const listed = await api
      .call('keyValueStore_keys_get', { storeId: view, query: { limit: 1000 }, unchecked: true })
      .catch((error: Error) => error);
    if (listed instanceof Error || listed.status !== 200) {
      problems.push(
        `listing the run's keys failed: ${listed instanceof Error ? (listed.message.split('\n')[0] ?? '') : `answered ${listed.status}`}`,
      );
      break;
    }
    let keys: string[];
    try {
      const items = (JSON.parse(listed.body.toString('utf8')) as { data?: { items?: { key?: unknown }[] } })
        .data?.items;
      keys = (items ?? []).flatMap((item) => (typeof item.key === 'string' ? [item.key] : []));
    } catch {
      problems.push('the key listing was not JSON');
      break;
    }
    const fresh = keys.filter((key) => !seen.has(key));
    if (fresh.length === 0) break;
    for (const key of fresh) {
      seen.add(key);
      const response = await api
        .call('keyValueStore_record_delete', { storeId: view, recordKey: key, unchecked: true })
        .catch((error: Error) => error);
      if (!(response instanceof Error) && (response.status === 204 || response.status === 404)) deleted += 1;
      else {
        left.push({
          key,
          reason:
            response instanceof Error
              ? (response.message.split('\n')[0] ?? '')
              : `DELETE answered ${response.status}`,
        });
      }
    }
  }
  return { deleted, left, problems };
}
