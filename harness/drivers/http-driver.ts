import type { RuleId } from '../contract/rule-catalog.ts';
import { HARNESS_VERSION } from '../version.ts';
import { expectStatus, type CheckedResponse, type HttpApi } from './http-api.ts';
import type {
  DriverInfo,
  KeysPage,
  KeysQuery,
  KvsDriver,
  RecordValue,
  StoreInfo,
  StoreListPage,
  StoreListQuery,
} from './kvs-driver.ts';

interface StoreBody {
  data: StoreInfo;
}

/** The HTTP driver is the harness's own (undici, every exchange checked). */
export const HTTP_DRIVER_INFO: DriverInfo = {
  name: 'http',
  package: 'kvs-conformance',
  version: HARNESS_VERSION,
  transport: 'http',
};

/** The KvsDriver over HTTP: every exchange checked against the contract, a 404 read as `undefined`. */
export class HttpDriver implements KvsDriver {
  readonly name = 'http';
  readonly info = HTTP_DRIVER_INFO;
  readonly unsupported = {
    keyIterator:
      'the HTTP driver is no client library: it has no key iterator (the pages are walked one by one)',
  };
  readonly api: HttpApi;

  constructor(api: HttpApi) {
    this.api = api;
  }

  #expect(
    response: CheckedResponse,
    statuses: readonly number[],
    ruleId: RuleId,
    what: string,
  ): CheckedResponse {
    expectStatus(response, statuses, ruleId, what);
    return response;
  }

  async listStores(query: StoreListQuery = {}): Promise<StoreListPage> {
    const response = await this.api.call('keyValueStores_get', {
      query: {
        offset: query.offset,
        limit: query.limit,
        desc: query.desc ? 1 : undefined,
        unnamed: query.unnamed ? 1 : undefined,
      },
    });
    return this.#expect(response, [200], 'KVS-PAGE-001', 'listing stores').json<{ data: StoreListPage }>()
      .data;
  }

  async getOrCreateStore(name?: string): Promise<StoreInfo> {
    const response = await this.api.call('keyValueStores_post', { query: { name } });
    return this.#expect(response, [200, 201], 'KVS-NAME-001', 'creating a store').json<StoreBody>().data;
  }

  async getStore(storeId: string): Promise<StoreInfo | undefined> {
    const response = await this.api.call('keyValueStore_get', { storeId });
    if (response.status === 404) return undefined;
    return this.#expect(response, [200], 'KVS-RECORD-013', 'reading a store').json<StoreBody>().data;
  }

  async updateStore(
    storeId: string,
    fields: { name?: string | null; generalAccess?: string },
  ): Promise<StoreInfo> {
    const response = await this.api.call('keyValueStore_put', {
      storeId,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(fields),
    });
    return this.#expect(response, [200], 'KVS-RECORD-013', 'updating a store').json<StoreBody>().data;
  }

  async deleteStore(storeId: string): Promise<void> {
    this.#expect(
      await this.api.call('keyValueStore_delete', { storeId }),
      [204],
      'KVS-NOTFOUND-004',
      'deleting a store',
    );
  }

  async listKeys(storeId: string, query: KeysQuery = {}): Promise<KeysPage> {
    const response = await this.api.call('keyValueStore_keys_get', {
      storeId,
      query: { limit: query.limit, exclusiveStartKey: query.exclusiveStartKey, prefix: query.prefix },
    });
    return this.#expect(response, [200], 'KVS-KEYS-001', 'listing keys').json<{ data: KeysPage }>().data;
  }

  async getRecord(storeId: string, key: string): Promise<RecordValue | undefined> {
    const response = await this.api.call('keyValueStore_record_get', { storeId, recordKey: key });
    if (response.status === 404) return undefined;
    this.#expect(response, [200], 'KVS-RECORD-001', `reading record ${key}`);
    return { value: response.body, contentType: response.headers['content-type'] ?? '' };
  }

  async recordExists(storeId: string, key: string): Promise<boolean> {
    const response = await this.api.call('keyValueStore_record_head', { storeId, recordKey: key });
    if (response.status === 404) return false;
    this.#expect(response, [200], 'KVS-RECORD-010', `HEAD of record ${key}`);
    return true;
  }

  async setRecord(storeId: string, key: string, value: Buffer, contentType: string): Promise<void> {
    const response = await this.api.call('keyValueStore_record_put', {
      storeId,
      recordKey: key,
      headers: { 'content-type': contentType },
      body: value,
    });
    this.#expect(response, [200, 201], 'KVS-RECORD-002', `writing record ${key}`);
  }

  async deleteRecord(storeId: string, key: string): Promise<void> {
    const response = await this.api.call('keyValueStore_record_delete', { storeId, recordKey: key });
    this.#expect(response, [204, 404], 'KVS-RECORD-009', `deleting record ${key}`);
  }
}
