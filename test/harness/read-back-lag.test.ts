// One cause, one rule (#26 item 5): a 404 for a key the run just wrote for the first time, that the
// same request then answers, is KVS-CONS-001's failure, found by the HTTP API itself (recorded for
// the running test, or thrown outside one), never the test's own rule failing on a 404 error body;
// a 404 for a store the run created is KVS-STATE-001's; a 404 that stays is returned as it is.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { CONS_FAULTS } from '../../proof/faults/cons-faults.ts';
import {
  startFaultProxy,
  type Fault,
  type ProxiedAnswer,
  type ProxiedRequest,
} from '../../proof/faults/fault-proxy.ts';
import { errorAnswer, isKeys, isRecord } from '../../proof/faults/fault-helpers.ts';
import { loadContract } from '../../harness/contract/load-contract.ts';
import { HttpApi } from '../../harness/drivers/http-api.ts';
import { ContractViolationError, type Failure } from '../../harness/failures.ts';
import { HttpClient } from '../../harness/http/http-client.ts';
import { startServer } from '../../server/index.ts';

const contract = await loadContract();
const reference = await startServer();
afterAll(() => reference.close());

async function withApi<T>(
  fault: Parameters<typeof startFaultProxy>[1],
  body: (api: HttpApi) => Promise<T>,
  recordViolation?: (failure: Failure) => boolean,
): Promise<T> {
  const proxy = await startFaultProxy(reference.url, fault);
  const client = new HttpClient({
    baseUrl: proxy.url,
    token: undefined,
    timeoutMs: 5000,
    maxResponseBytes: 1 << 20,
    connections: 2,
  });
  try {
    return await body(
      new HttpApi(contract, client, {
        settings: { consistency: 'strong', consistencySettleMs: 300 },
        ...(recordViolation ? { recordViolation } : {}),
      }),
    );
  } finally {
    await client.close();
    await proxy.close();
  }
}

const newStore = async (api: HttpApi): Promise<string> =>
  (await api.call('keyValueStores_post')).json<{ data: { id: string } }>().data.id;
const put = (api: HttpApi, storeId: string, recordKey: string) =>
  api.call('keyValueStore_record_put', {
    storeId,
    recordKey,
    headers: { 'content-type': 'text/plain' },
    body: 'v',
  });

describe('a 404 that is lag fails the one rule it breaks', () => {
  it('the first read of a new key answering 404, then the record: KVS-CONS-001 with the key, when written, and the 404', async () => {
    const firstReadMiss = CONS_FAULTS.find((mode) => mode.name === 'cons-new-key-first-read-miss')?.fault;
    if (!firstReadMiss) throw new Error('fault cons-new-key-first-read-miss is gone');
    const error = await withApi(firstReadMiss(''), async (api) => {
      const storeId = await newStore(api);
      await put(api, storeId, 'fresh');
      return api.call('keyValueStore_record_get', { storeId, recordKey: 'fresh' }).catch((e: unknown) => e);
    });
    expect(error).toBeInstanceOf(ContractViolationError);
    const failure = (error as ContractViolationError).failure;
    expect(failure.ruleId).toBe('KVS-CONS-001');
    expect(failure.message).toMatch(
      /answered 404 \("Record was not found"\) although key "fresh" of store \S+ was written for the first time \(2xx\) \d+ ms before the read was sent; the same request answered 200 \d+ ms later/,
    );
    expect(failure.exchanges).toHaveLength(2);
  });

  it('within a test, the lag is recorded as KVS-CONS-001 and the call goes on with the later answer, so the test still judges its own rules', async () => {
    const firstReadMiss = CONS_FAULTS.find((mode) => mode.name === 'cons-new-key-first-read-miss')?.fault;
    if (!firstReadMiss) throw new Error('fault cons-new-key-first-read-miss is gone');
    const recorded: Failure[] = [];
    const answer = await withApi(
      firstReadMiss(''),
      async (api) => {
        const storeId = await newStore(api);
        await put(api, storeId, 'fresh');
        return api.call('keyValueStore_record_get', { storeId, recordKey: 'fresh' });
      },
      (failure) => recorded.push(failure) > 0,
    );
    expect(answer.status).toBe(200);
    expect(answer.body.toString()).toBe('v');
    expect(recorded.map((failure) => failure.ruleId)).toEqual(['KVS-CONS-001']);
  });

  it('a record truly missing after its write (404 every time) is returned to the test, not blamed on KVS-CONS-001', async () => {
    const lost: Fault = (answer) =>
      answer.method === 'GET' && isRecord(answer.path)
        ? errorAnswer(404, 'record-not-found', answer.method, answer.path, 'Record was not found')
        : answer;
    const status = await withApi(lost, async (api) => {
      const storeId = await newStore(api);
      await put(api, storeId, 'lost');
      return (await api.call('keyValueStore_record_get', { storeId, recordKey: 'lost', unchecked: true }))
        .status;
    });
    expect(status).toBe(404);
  });

  it('a read sent while the first write was in flight, served before it and answered after its 2xx, is no lag (concurrent calls)', async () => {
    // The server reads first (404) and its answer is slow to arrive (a proxy, Nagle): the write's
    // 2xx comes back in the meantime. "Readable by the next GET" says nothing of a GET sent before.
    const slowReads = {
      request: async (
        request: ProxiedRequest,
        forward: (request: ProxiedRequest) => Promise<ProxiedAnswer>,
      ): Promise<ProxiedAnswer> => {
        const answer = await forward(request);
        if (request.method === 'GET' && isRecord(request.path)) await sleep(300);
        return answer;
      },
    };
    const recorded: Failure[] = [];
    const status = await withApi(
      slowReads,
      async (api) => {
        const storeId = await newStore(api);
        const read = api.call('keyValueStore_record_get', { storeId, recordKey: 'raced', unchecked: true });
        await sleep(100);
        await put(api, storeId, 'raced');
        return (await read).status;
      },
      (failure) => recorded.push(failure) > 0,
    );
    expect(status).toBe(404);
    expect(recorded).toEqual([]);
  });

  it('a key listing of a store this run created answering 404 once: KVS-STATE-001', async () => {
    let missed = false;
    const storeLag: Fault = (answer) => {
      if (missed || answer.method !== 'GET' || !isKeys(answer.path)) return answer;
      missed = true;
      return errorAnswer(404, 'record-not-found', answer.method, answer.path, 'Store was not found');
    };
    const error = await withApi(storeLag, async (api) => {
      const storeId = await newStore(api);
      return api.call('keyValueStore_keys_get', { storeId }).catch((e: unknown) => e);
    });
    expect((error as ContractViolationError).failure.ruleId).toBe('KVS-STATE-001');
    expect((error as ContractViolationError).failure.message).toContain('created by this run');
  });
});
