// The run's last cleanup pass: one pass over what is still there. A store the run already deleted is
// not deleted again, the store list is read only when the journal cannot vouch for every store the
// run made, and nothing is ever deleted that the journal does not hold.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../server/index.ts';
import { loadContract } from '../../harness/contract/load-contract.ts';
import { HttpApi } from '../../harness/drivers/http-api.ts';
import { HttpClient } from '../../harness/http/http-client.ts';
import { deleteRunStores } from '../../harness/isolation/delete-run-stores.ts';
import {
  readRunJournal,
  recordCreatedStore,
  recordCreateSent,
  recordCreateSettled,
  recordDeletedStore,
} from '../../harness/isolation/run-namespace.ts';

const TOKEN = 'kvsc-cleanup-token-0123';
const contract = await loadContract();

describe('deleteRunStores', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    server = await startServer({ tokens: [TOKEN] });
  });
  afterAll(async () => {
    await server.close();
  });

  /** An API client that notes every request it sends as `METHOD path`. */
  function countingApi(): { api: HttpApi; sent: string[]; close: () => Promise<void> } {
    const sent: string[] = [];
    const client = new HttpClient({
      baseUrl: server.url,
      token: TOKEN,
      timeoutMs: 10_000,
      maxResponseBytes: 1 << 20,
      connections: 2,
      onSend: (request) => sent.push(`${request.method} ${request.path.split('?')[0] ?? ''}`),
    });
    return { api: new HttpApi(contract, client), sent, close: () => client.close() };
  }

  async function create(api: HttpApi, name: string): Promise<string> {
    const answer = await api.call('keyValueStores_post', { query: { name }, unchecked: true });
    return answer.json<{ data: { id: string } }>().data.id;
  }

  const journalFile = (): string => join(mkdtempSync(join(tmpdir(), 'kvsc-journal-')), 'journal.jsonl');

  it('deletes only the journaled stores not yet deleted, and reads no store list when every create settled', async () => {
    const { api, sent, close } = countingApi();
    try {
      const prefix = 'kvsc-aaaa0001-';
      const journal = journalFile();
      const ids: string[] = [];
      for (const label of ['a', 'b', 'c']) {
        recordCreateSent(journal);
        const id = await create(api, `${prefix}${label}`);
        recordCreatedStore(journal, { id, name: `${prefix}${label}` }, true);
        ids.push(id);
      }
      // A create answered without making a store (say a 400) settles its request too.
      recordCreateSent(journal);
      recordCreateSettled(journal);
      // The first store was deleted while the run went on (its suite file's cleanup).
      await api.call('keyValueStore_delete', { storeId: ids[0] ?? '', unchecked: true });
      recordDeletedStore(journal, ids[0] ?? '');
      expect(readRunJournal(journal)).toMatchObject({ unsettled: 0, deleted: new Set([ids[0]]) });
      sent.length = 0;

      const result = await deleteRunStores(api, journal, prefix);
      expect(result).toEqual({ created: 3, deleted: 3, left: [], problems: [], requests: 2 });
      expect(sent.sort()).toEqual(
        [`DELETE /v2/key-value-stores/${ids[1]}`, `DELETE /v2/key-value-stores/${ids[2]}`].sort(),
      );
      for (const id of ids)
        expect((await api.call('keyValueStore_get', { storeId: id, unchecked: true })).status).toBe(404);
    } finally {
      await close();
    }
  });

  it('lists the stores when a create was never settled, reports a prefixed store it has no record of and deletes it not', async () => {
    const { api, sent, close } = countingApi();
    try {
      const prefix = 'kvsc-aaaa0002-';
      const journal = journalFile();
      recordCreateSent(journal);
      const journaled = await create(api, `${prefix}kept`);
      recordCreatedStore(journal, { id: journaled, name: `${prefix}kept` }, true);
      // A worker killed between the target making a store and the journal line for it.
      recordCreateSent(journal);
      const unrecorded = await create(api, `${prefix}lost`);
      const foreign = await create(api, 'someone-elses-store');
      expect(readRunJournal(journal).unsettled).toBe(1);
      sent.length = 0;

      const result = await deleteRunStores(api, journal, prefix);
      expect(result.created).toBe(1);
      expect(result.deleted).toBe(1);
      expect(result.left).toEqual([
        {
          id: JSON.stringify(unrecorded),
          reason: `named "${prefix}lost" with this run's prefix but not in its journal: not deleted`,
        },
      ]);
      expect(sent).toContain('GET /v2/key-value-stores');
      expect(sent.filter((line) => line.startsWith('DELETE'))).toEqual([
        `DELETE /v2/key-value-stores/${journaled}`,
      ]);
      for (const id of [unrecorded, foreign])
        expect((await api.call('keyValueStore_get', { storeId: id, unchecked: true })).status).toBe(200);
    } finally {
      await close();
    }
  });

  it('lists the stores when the caller cannot vouch for the journal (an interrupted run)', async () => {
    const { api, sent, close } = countingApi();
    try {
      const result = await deleteRunStores(api, journalFile(), 'kvsc-aaaa0003-', {
        mayHaveUnjournaled: true,
      });
      expect(result).toMatchObject({ created: 0, deleted: 0, left: [], problems: [] });
      expect(sent).toEqual(['GET /v2/key-value-stores']);
    } finally {
      await close();
    }
  });
});
