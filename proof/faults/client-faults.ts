// Fault modes that are client-library bugs: driver modules that extend the hand-written example
// client with one behaviour changed, caught by their target rule through that driver (the KVS-CLIENT
// rules by the nock-served client-contract checks, the others by the suites against the server).
import { faultyDriverModule, type ClientFault } from '../client-fault.ts';

/** Client faults (broken client drivers). */
export const CLIENT_FAULTS: readonly ClientFault[] = [
  {
    name: 'miss-as-null',
    targets: ['KVS-NOTFOUND-005'],
    bug: 'getRecord turns a missing record into null instead of undefined',
    breaks: 'misses',
    source: faultyDriverModule(
      'miss-as-null',
      `  async getRecord(storeId, key) {
    const record = await super.getRecord(storeId, key);
    return record === undefined ? null : record;
  }`,
    ),
  },
  {
    name: 'iterator-drops-last-key',
    targets: ['KVS-KEYS-001'],
    bug: 'the key iterator drops the last key of the listing',
    breaks: 'iteration',
    source: faultyDriverModule(
      'iterator-drops-last-key',
      `  async *iterateKeys(storeId, query) {
    const items = [];
    for await (const item of super.iterateKeys(storeId, query)) items.push(item);
    yield* items.slice(0, -1);
  }`,
    ),
  },
  {
    name: 'iterator-restarts-on-missing-cursor',
    targets: ['KVS-CLIENT-001'],
    bug: 'the key iterator pages on while pages have items, so after a last page with items (null cursor) it starts over from the first',
    breaks: 'iteration',
    source: faultyDriverModule(
      'iterator-restarts-on-missing-cursor',
      `  async *iterateKeys(storeId, query = {}) {
    let page = await this.listKeys(storeId, query);
    yield* page.items;
    while (page.items.length > 0) {
      page = await this.listKeys(storeId, { ...query, exclusiveStartKey: page.nextExclusiveStartKey ?? undefined });
      yield* page.items;
    }
  }`,
    ),
  },
  {
    name: 'token-not-found-throws',
    targets: ['KVS-CLIENT-002'],
    bug: 'only record-not-found reads as a miss: a 404 record-or-token-not-found throws',
    narrow: true,
    breaks: 'misses',
    source: faultyDriverModule(
      'token-not-found-throws',
      `  async isMiss(response) {
    if (response.status !== 404) return false;
    const error = await this.error(response);
    if (error.type === 'record-not-found') return true;
    throw error;
  }`,
    ),
  },
  {
    name: 'undefined-on-403',
    targets: ['KVS-CLIENT-003'],
    bug: 'a 403 on getRecord reads as a miss (undefined) instead of throwing',
    narrow: true,
    breaks: 'errors',
    source: faultyDriverModule(
      'undefined-on-403',
      `  async getRecord(storeId, key) {
    try {
      return await super.getRecord(storeId, key);
    } catch (error) {
      if (error.status === 403) return undefined;
      throw error;
    }
  }`,
    ),
  },
  {
    name: 'retry-bound-off-by-one',
    targets: ['KVS-CLIENT-004'],
    bug: 'a 5xx or 429 is retried maxRetries + 1 times (the bound counted from the first attempt)',
    breaks: 'retries',
    source: faultyDriverModule(
      'retry-bound-off-by-one',
      `  constructor(context) {
    super({ ...context, maxRetries: context.maxRetries + 1 });
  }`,
    ),
  },
  {
    name: 'retry-put-drops-body',
    targets: ['KVS-CLIENT-004'],
    bug: 'a retried write resends the body the first attempt consumed, so the retry of a PUT goes out empty',
    narrow: true,
    breaks: 'retries',
    source: faultyDriverModule(
      'retry-put-drops-body',
      `  constructor(context) {
    super({ ...context, maxRetries: 0 });
    this.retryBound = context.maxRetries;
  }
  async call(method, path, query = {}, body) {
    let response = await super.call(method, path, query, body);
    for (let attempt = 0; attempt < this.retryBound && (response.status === 429 || response.status >= 500); attempt += 1) {
      await response.arrayBuffer();
      await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt));
      response = await super.call(method, path, query, body && { ...body, data: '' });
    }
    return response;
  }`,
    ),
  },
  {
    name: 'text-read-as-latin1',
    targets: ['KVS-CLIENT-005'],
    bug: 'text records are decoded as latin1, which differs from UTF-8 only for bytes ≥ 0x80',
    narrow: true,
    breaks: 'bodies',
    source: faultyDriverModule(
      'text-read-as-latin1',
      `  async getRecordValue(storeId, key) {
    const read = await super.getRecordValue(storeId, key);
    return read && typeof read.value === 'string' && read.contentType.startsWith('text/')
      ? { ...read, value: Buffer.from(read.value, 'utf8').toString('latin1') }
      : read;
  }`,
    ),
  },
  {
    name: 'falsy-record-as-miss',
    targets: ['KVS-CLIENT-005'],
    bug: 'a record whose value is falsy (empty text, JSON 0, false, null or "") reads as a miss',
    narrow: true,
    breaks: 'bodies',
    source: faultyDriverModule(
      'falsy-record-as-miss',
      `  async getRecordValue(storeId, key) {
    const read = await super.getRecordValue(storeId, key);
    return read && read.value ? read : undefined;
  }`,
    ),
  },
  {
    name: 'token-in-keys-query',
    targets: ['KVS-CLIENT-006'],
    bug: 'the key listing also sends the token as ?token= in its URL (the other calls keep it in the header only)',
    breaks: 'token',
    source: faultyDriverModule(
      'token-in-keys-query',
      `  constructor(context) {
    super(context);
    this.token = context.token;
  }
  async listKeys(storeId, query = {}) {
    return super.listKeys(storeId, { ...query, token: this.token });
  }`,
    ),
  },
];
