// One JSON parse per answer (#28 per-request cost): the checks and the caller share it, and a caller
// that changes what json() gave never changes what a later call gets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpApi, HttpClient, loadContract } from '../../harness/index.ts';
import { JsonBody } from '../../harness/checks/json-body.ts';
import { startServer, type RunningServer } from '../../server/index.ts';

const TOKEN = 'json-body-token';

describe('JsonBody', () => {
  it('parses once and keeps the result; a body that is not JSON gives the parse error', () => {
    const json = new JsonBody(Buffer.from('{"data":{"id":"a"}}'));
    expect(json.parsed).toBe(json.parsed);
    expect(json.value).toEqual({ data: { id: 'a' } });
    const broken = new JsonBody(Buffer.from('{"data":'));
    expect(broken.parsed.ok).toBe(false);
    expect(broken.value).toBeUndefined();
    expect(broken.parsed.ok === false && broken.parsed.error).toBeInstanceOf(SyntaxError);
  });
});

describe("a checked answer's json()", () => {
  let target: RunningServer;
  let client: HttpClient;
  beforeAll(async () => {
    target = await startServer({ tokens: [TOKEN] });
    client = new HttpClient({
      baseUrl: target.url,
      token: TOKEN,
      timeoutMs: 10_000,
      maxResponseBytes: 1 << 20,
      connections: 1,
    });
  });
  afterAll(async () => {
    await client.close();
    await target.close();
  });

  it('gives the checked value first and a fresh parse after, so changing one never changes the next', async () => {
    const api = new HttpApi(await loadContract(), client);
    const created = await api.call('keyValueStores_post', { query: { name: 'json-body' } });
    const first = created.json<{ data: { id: string; name: string } }>();
    first.data.name = 'changed by the caller';
    const second = created.json<{ data: { id: string; name: string } }>();
    expect(second).not.toBe(first);
    expect(second.data.name).toBe('json-body');
    expect(second.data.id).toBe(first.data.id);
    await api.call('keyValueStore_delete', { storeId: first.data.id });
  });
});
