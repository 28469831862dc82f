import type { HttpApi } from '../drivers/http-api.ts';
import { readRunJournal } from './run-namespace.ts';
import { storeIdSegmentProblem } from './store-id-segment.ts';

/** A store of this run still on the target, and why. */
export interface LeftStore {
  /** The id as the target gave it (JSON-quoted when it is not a valid store id). */
  readonly id: string;
  readonly reason: string;
}

/** What cleanup did. */
export interface CleanupResult {
  /** Stores the target handed back to this run (its journal). */
  readonly created: number;
  /** Stores of the run that are gone: deleted while it ran (journaled) or by this pass. */
  readonly deleted: number;
  /** Requests this pass sent (deletes and store-list pages); absent where not counted. */
  readonly requests?: number;
  /** Stores of this run that stay on the target, with the reason. */
  readonly left: readonly LeftStore[];
  /** What went wrong while cleaning up (an unreadable or endless listing); stores it hid may be left. */
  readonly problems: readonly string[];
}

/** Page size and most pages read from the store list; deletes in flight at once. */
const PAGE_LIMIT = 1000;
const MAX_PAGES = 20;
const DELETE_CONCURRENCY = 4;

const shown = (id: unknown): string => {
  const text = typeof id === 'string' ? id : (JSON.stringify(id) ?? String(id));
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
};

async function deleteJournaled(
  api: HttpApi,
  ids: readonly string[],
  left: LeftStore[],
  sent: { requests: number },
): Promise<number> {
  let deleted = 0;
  const queue = [...ids];
  const worker = async (): Promise<void> => {
    for (let storeId = queue.shift(); storeId !== undefined; storeId = queue.shift()) {
      sent.requests += 1;
      const response = await api
        .call('keyValueStore_delete', { storeId, unchecked: true })
        .catch((error: Error) => error);
      if (response instanceof Error)
        left.push({ id: storeId, reason: response.message.split('\n')[0]?.slice(0, 300) ?? '' });
      // A 404: already gone (deleted by a client driver, whose deletes the journal does not see).
      else if (response.status === 204 || response.status === 404) deleted += 1;
      else left.push({ id: storeId, reason: `DELETE answered ${response.status}` });
    }
  };
  await Promise.all(Array.from({ length: DELETE_CONCURRENCY }, worker));
  return deleted;
}

/**
 * Stores named with the run's prefix that the journal does not hold (created by a worker that was
 * killed before it journaled them): reported, never deleted, since a name is no proof that this
 * run made the store. The listing is bounded (MAX_PAGES pages) and a listing that ignores
 * `offset` (a page with no store not seen before) or never ends is reported and abandoned.
 */
async function findUnjournaled(
  api: HttpApi,
  prefix: string,
  journaled: ReadonlySet<string>,
  left: LeftStore[],
  problems: string[],
  sent: { requests: number },
): Promise<void> {
  const seen = new Set<string>();
  for (let page = 0, offset = 0; ; page += 1) {
    if (page === MAX_PAGES) {
      problems.push(`the store list did not end after ${MAX_PAGES} pages of ${PAGE_LIMIT}; stopped listing`);
      return;
    }
    sent.requests += 1;
    const response = await api
      .call('keyValueStores_get', { query: { offset, limit: PAGE_LIMIT }, unchecked: true })
      .catch((error: Error) => error);
    if (response instanceof Error) {
      problems.push(`listing stores failed: ${response.message.split('\n')[0]?.slice(0, 300) ?? ''}`);
      return;
    }
    if (response.status !== 200) {
      problems.push(`listing stores answered ${response.status}`);
      return;
    }
    let data: { items?: unknown; total?: unknown } | undefined;
    try {
      data = (JSON.parse(response.body.toString('utf8')) as { data?: typeof data } | null)?.data;
    } catch {
      problems.push(`the store list at offset ${offset} is not JSON`);
      return;
    }
    if (!Array.isArray(data?.items)) {
      problems.push(`the store list at offset ${offset} has no items array`);
      return;
    }
    const items = data.items as { id?: unknown; name?: unknown }[];
    let fresh = 0;
    for (const store of items) {
      const key = JSON.stringify(store?.id);
      if (seen.has(key)) continue;
      seen.add(key);
      fresh += 1;
      const name = store?.name;
      if (typeof name === 'string' && name.startsWith(prefix) && !journaled.has(String(store.id)))
        left.push({
          id: shown(store.id),
          reason: `named ${shown(name)} with this run's prefix but not in its journal: not deleted`,
        });
    }
    if (items.length === 0) return;
    if (fresh === 0) {
      problems.push(
        `the store list ignores offset (offset ${offset} repeats earlier stores); stopped listing`,
      );
      return;
    }
    offset += items.length;
    const total = typeof data.total === 'number' ? data.total : undefined;
    if (total === undefined ? items.length < PAGE_LIMIT : offset >= total) return;
  }
}

/** When cleanup must list the stores besides deleting the journaled ones. */
export interface CleanupOptions {
  /**
   * The caller cannot vouch that the journal holds every store the run made (it journals no
   * create requests before sending them, or the run was interrupted or a suite file broke off):
   * list the stores whatever the journal says.
   */
  readonly mayHaveUnjournaled?: boolean;
}

/**
 * Deletes exactly the stores this run created and has not deleted yet: every id in the journal
 * without a journaled delete, whatever its format, sent as one percent-encoded path segment (an id
 * that could change the path's shape is reported and never sent: `storeIdSegmentProblem`).
 * Nothing is deleted by name. The store list is read only when a store may exist that the journal
 * does not hold (a create request never settled, or `mayHaveUnjournaled`), to report it. Every
 * failure is reported in the result (stores left, with ids and why; problems met); nothing here
 * throws, so the reports are always written.
 */
export async function deleteRunStores(
  api: HttpApi,
  journalFile: string,
  prefix: string,
  options: CleanupOptions = {},
): Promise<CleanupResult> {
  const left: LeftStore[] = [];
  const problems: string[] = [];
  const sent = { requests: 0 };
  let created = 0;
  let deleted = 0;
  try {
    const journal = readRunJournal(journalFile);
    const journaled = journal.created.map((store) => store.id);
    created = journaled.length;
    const sendable: string[] = [];
    for (const id of journaled) {
      const problem = storeIdSegmentProblem(id);
      if (problem !== undefined)
        left.push({ id: shown(id), reason: `${problem}: never put into a request path` });
      // Deleted while the run went on (its file's cleanup, or the test that made it): not sent again.
      else if (journal.deleted.has(id)) deleted += 1;
      else sendable.push(id);
    }
    deleted += await deleteJournaled(api, sendable, left, sent);
    if (journal.unsettled > 0 || options.mayHaveUnjournaled === true)
      await findUnjournaled(api, prefix, new Set(journaled.map(String)), left, problems, sent);
  } catch (error) {
    problems.push(`cleanup failed: ${(error as Error).message.split('\n')[0] ?? ''}`);
  }
  return { created, deleted, left, problems, requests: sent.requests };
}
