// The run's last cleanup pass: one pass over what is still there. A store the run already deleted is
// not deleted again, the store list is read only when the journal cannot vouch for every store the
// run made, and nothing is ever deleted that the journal does not hold.
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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

  it('deletes a store again that a create answered after its delete', async () => {
    const { api, close } = countingApi();
    try {
      const journal = journalFile();
      const id = await create(api, 'kvsc-aaaa0004-again');
      recordCreatedStore(journal, { id, name: 'kvsc-aaaa0004-again' });
      recordDeletedStore(journal, id);
      // A target that re-creates a deleted store under its old id: the journal holds it again.
      recordCreatedStore(journal, { id, name: 'kvsc-aaaa0004-again' });
      expect(readRunJournal(journal).deleted.size).toBe(0);
      const result = await deleteRunStores(api, journal, 'kvsc-aaaa0004-');
      expect(result).toMatchObject({ created: 1, deleted: 1, left: [], requests: 1 });
      expect((await api.call('keyValueStore_get', { storeId: id, unchecked: true })).status).toBe(404);
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

  /**
   * A target whose store list (the cleanup's listing) answers `list(offset)`; every other request
   * 404. Notes every request as `METHOD path`.
   */
  async function hostileList(
    list: (offset: number) => string,
  ): Promise<{ url: string; seen: string[]; close: () => Promise<void> }> {
    const seen: string[] = [];
    const server: Server = createServer((request, response) => {
      seen.push(`${request.method} ${request.url?.split('?')[0] ?? ''}`);
      const url = new URL(request.url ?? '/', 'http://x');
      if (request.method === 'GET' && url.pathname === '/v2/key-value-stores') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(list(Number(url.searchParams.get('offset') ?? 0)));
      } else response.writeHead(404).end();
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      seen,
      close: () => new Promise((done) => server.close(() => done())),
    };
  }

  const page = (items: unknown[], total: number, offset = 0): string =>
    JSON.stringify({ data: { items, total, offset, limit: 1000, count: items.length } });

  it.each([
    {
      name: 'evil ids in the listing are reported, never deleted',
      list: () =>
        page(
          ['..', '.', '~evil', 'AAAAAAAAAAAAAAAAB'].map((id, i) => ({ id, name: `kvsc-bbbb0001-x${i}` })),
          4,
        ),
      left: 4,
      problem: undefined,
    },
    {
      name: 'a listing that ignores offset is abandoned',
      list: () => page([{ id: 'AAAAAAAAAAAAAAAAC', name: 'other' }], 1_000_000),
      left: 0,
      problem: 'ignores offset',
    },
    {
      name: 'an endless listing is abandoned after its page budget',
      list: (offset: number) =>
        page(
          Array.from({ length: 1000 }, (_, i) => ({ id: `id-${offset + i}`, name: null })),
          1_000_000_000,
          offset,
        ),
      left: 0,
      problem: 'did not end after 20 pages',
    },
    { name: 'a listing that is not JSON', list: () => '<<not json>>', left: 0, problem: 'is not JSON' },
    {
      name: 'a listing without an items array',
      list: () => '{"data":{"items":{}}}',
      left: 0,
      problem: 'has no items array',
    },
  ])('hostile listing: $name', async ({ list, left, problem }) => {
    const target = await hostileList(list);
    const client = new HttpClient({
      baseUrl: target.url,
      token: TOKEN,
      timeoutMs: 10_000,
      maxResponseBytes: 1 << 24,
      connections: 2,
    });
    try {
      const result = await deleteRunStores(new HttpApi(contract, client), journalFile(), 'kvsc-bbbb0001-', {
        mayHaveUnjournaled: true,
      });
      expect(result.left).toHaveLength(left);
      for (const store of result.left) expect(store.reason).toContain('not in its journal: not deleted');
      if (problem === undefined) expect(result.problems).toEqual([]);
      else expect(result.problems.join('\n')).toContain(problem);
      expect(target.seen.filter((line) => !line.startsWith('GET '))).toEqual([]);
      expect(target.seen.length).toBeLessThanOrEqual(20);
    } finally {
      await client.close();
      await target.close();
    }
  });
});
