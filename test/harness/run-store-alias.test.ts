// `--run-id` (#23 item 3): a run's default store addressed through the alias paths. The HTTP API
// turns a store the fixture handed out into a key namespace of the run's default store, the
// store id is resolved once, calls that would create, rename or delete a store are refused as
// not applicable, and the reference server answers the alias paths.
import { afterAll, describe, expect, it } from 'vitest';
import { loadContract } from '../../harness/contract/load-contract.ts';
import { HttpApi } from '../../harness/drivers/http-api.ts';
import { resolveRunStore, RunStoreViews } from '../../harness/drivers/run-store.ts';
import { HarnessError } from '../../harness/errors.ts';
import { HttpClient } from '../../harness/http/http-client.ts';
import { deleteRunRecords } from '../../harness/isolation/delete-run-records.ts';
import { startServer } from '../../server/index.ts';

const contract = await loadContract();
const server = await startServer({ runs: ['run-1'] });
const client = new HttpClient({
  baseUrl: server.url,
  token: undefined,
  timeoutMs: 10_000,
  maxResponseBytes: 1 << 20,
  connections: 2,
});
afterAll(async () => {
  await client.close();
  await server.close();
});

describe("the alias operations of a run's default store", () => {
  it('are in the shipped contract: 27, each standing for a store-scoped operation', () => {
    expect(contract.aliases.size).toBe(27);
    expect(contract.aliases.get('actorRun_keyValueStore_record_put')).toMatchObject({
      method: 'PUT',
      path: '/v2/actor-runs/{runId}/key-value-store/records/{recordKey}',
      operationId: 'keyValueStore_record_put',
    });
    // The overlay reaches them as it reaches the store paths (the payload limit here).
    const put = contract.document.paths['/v2/actor-runs/{runId}/key-value-store/records/{recordKey}']?.put;
    expect((put as Record<string, unknown>)['x-kvs-max-payload-bytes']).toBe(contract.limits.maxPayloadBytes);
    // No HEAD record among them (the published document has none).
    expect([...contract.aliases.values()].some((alias) => alias.method === 'HEAD')).toBe(false);
  });
});

describe("--run-id: resolving the run's default store", () => {
  it('resolves the store id once through GET /v2/actor-runs/{runId}/key-value-store', async () => {
    const target = await resolveRunStore(contract, client, 'run-1', 'kvsc-test-');
    const listed = await client.send({ method: 'GET', path: '/v2/key-value-stores?unnamed=1' });
    const ids = (
      JSON.parse(listed.response?.body.toString() ?? '{}') as { data: { items: { id: string }[] } }
    ).data.items.map((store) => store.id);
    expect(ids).toContain(target.storeId);
    expect(target).toMatchObject({ runId: 'run-1', keyPrefix: 'kvsc-test-' });
  });

  it('says what came back for a run the target does not know', async () => {
    const error = await resolveRunStore(contract, client, 'no-such-run', 'kvsc-test-').catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(HarnessError);
    expect((error as HarnessError).message).toMatch(
      /--run-id no-such-run: GET \/v2\/actor-runs\/no-such-run\/key-value-store answered 404/,
    );
  });
});

describe("--run-id: the HTTP API on a key namespace of the run's default store", () => {
  it('sends store-scoped calls to the alias paths with the key, prefix and cursor in the namespace', async () => {
    const target = await resolveRunStore(contract, client, 'run-1', 'kvsc-ns-');
    const views = new RunStoreViews(target);
    const refused: string[] = [];
    const api = new HttpApi(contract, client, { runStore: views, notApplicable: (why) => refused.push(why) });
    const view = views.next();
    const namespace = views.namespaceOf(view) ?? '';
    expect(namespace.startsWith('kvsc-ns-')).toBe(true);
    expect(api.path('keyValueStore_record_put', { storeId: view, recordKey: 'a' })).toBe(
      `/v2/actor-runs/run-1/key-value-store/records/${namespace}a`,
    );
    expect(
      api.path('keyValueStore_keys_get', { storeId: view, query: { prefix: 'p', exclusiveStartKey: 'b' } }),
    ).toBe(`/v2/actor-runs/run-1/key-value-store/keys?prefix=${namespace}p&exclusiveStartKey=${namespace}b`);
    // HEAD record has no alias path: the store's own path, with the id resolved once.
    expect(api.path('keyValueStore_record_head', { storeId: view, recordKey: 'a' })).toBe(
      `/v2/key-value-stores/${target.storeId}/records/${namespace}a`,
    );
    // Another store id is left alone.
    expect(api.path('keyValueStore_get', { storeId: 'other' })).toBe('/v2/key-value-stores/other');

    // Over the wire: two views of one store never see each other's keys.
    const other = views.next();
    for (const [storeId, key] of [
      [view, 'a'],
      [view, 'b'],
      [other, 'a'],
    ] as const)
      await api.call('keyValueStore_record_put', {
        storeId,
        recordKey: key,
        headers: { 'content-type': 'text/plain' },
        body: key,
      });
    const listed = await api.call('keyValueStore_keys_get', { storeId: view });
    expect(listed.json<{ data: { items: { key: string }[] } }>().data.items.map((item) => item.key)).toEqual([
      'a',
      'b',
    ]);
    const store = await api.call('keyValueStore_get', { storeId: view });
    expect(store.json<{ data: { id: string } }>().data.id).toBe(view);

    // Creating, renaming or deleting a store is refused as not applicable, and nothing is sent.
    for (const [operationId, call] of [
      ['keyValueStores_post', {}],
      ['keyValueStore_put', { storeId: view, body: '{}' }],
      ['keyValueStore_delete', { storeId: view }],
    ] as const) {
      const error = await api.call(operationId, call).catch((caught: unknown) => caught);
      expect((error as HarnessError).code).toBe('KVSC_NOT_APPLICABLE');
    }
    expect(refused).toHaveLength(3);
    expect(refused[0]).toMatch(/creates a store/);

    // Cleanup deletes exactly the run's records, never the store or anyone else's record.
    await client.send({
      method: 'PUT',
      path: `/v2/key-value-stores/${target.storeId}/records/USER-RECORD`,
      headers: { 'content-type': 'text/plain' },
      body: 'mine',
    });
    const cleanup = await deleteRunRecords(api, views.everyKeyOfTheRun());
    expect(cleanup).toEqual({ deleted: 3, left: [], problems: [] });
    const keys = await client.send({ method: 'GET', path: '/v2/actor-runs/run-1/key-value-store/keys' });
    expect(
      (
        JSON.parse(keys.response?.body.toString() ?? '{}') as { data: { items: { key: string }[] } }
      ).data.items.map((item) => item.key),
    ).toEqual(['USER-RECORD']);
  });
});

describe("the reference server's alias paths", () => {
  it("answers a known run's default store at its alias paths and 404 for an unknown run", async () => {
    const known = await client.send({ method: 'GET', path: '/v2/actor-runs/run-1/key-value-store' });
    expect(known.response?.status).toBe(200);
    const unknown = await client.send({ method: 'GET', path: '/v2/actor-runs/nope/key-value-store/keys' });
    expect(unknown.response?.status).toBe(404);
    expect(unknown.response?.body.toString()).toContain('record-not-found');
    const elsewhere = await client.send({ method: 'GET', path: '/v2/actor-runs/run-1/dataset' });
    expect(elsewhere.response?.status).toBe(404);
    expect(elsewhere.response?.body.toString()).toContain('page-not-found');
  });
});
