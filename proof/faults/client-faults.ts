// Fault modes that are client-library bugs: driver modules that extend the driver template's
// client with one behaviour changed, caught by their target rule through that driver (the KVS-CLIENT
// rules by the client-contract checks (a scripted answer server), the others by the suites against the server).
import { faultyDriverModule, type ClientFault } from './client-fault.ts';

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
  // The twelve classes of client bugs a default `run --driver` must catch, each as a client author
  // could ship it (issue #27's table), every one on fixed cases that run on every seed.
  {
    name: 'empty-record-as-miss',
    targets: ['KVS-RECORD-001', 'KVS-CLIENT-005', 'KVS-RECORD-014'],
    bug: 'a 0-byte record reads as a miss (undefined), as if "no body" meant "no record"',
    narrow: true,
    breaks: 'bodies',
    source: faultyDriverModule(
      'empty-record-as-miss',
      `  async getRecord(storeId, key) {
    const record = await super.getRecord(storeId, key);
    return record && record.value.length === 0 ? undefined : record;
  }`,
    ),
  },
  {
    name: 'prefix-dropped-with-cursor',
    targets: ['KVS-KEYS-007'],
    bug: 'listKeys drops the prefix once a cursor is given, so the pages after the first list every key',
    narrow: true,
    breaks: 'iteration',
    source: faultyDriverModule(
      'prefix-dropped-with-cursor',
      `  async listKeys(storeId, query = {}) {
    const { prefix, ...rest } = query;
    return super.listKeys(storeId, query.exclusiveStartKey === undefined ? query : rest);
  }`,
    ),
  },
  {
    name: 'every-404-a-miss',
    targets: ['KVS-CLIENT-003'],
    bug: 'every 404 reads as a miss, whatever its error type (an unknown endpoint, a wrong path)',
    narrow: true,
    breaks: 'errors',
    source: faultyDriverModule(
      'every-404-a-miss',
      `  async isMiss(response) {
    if (response.status !== 404) return false;
    await response.arrayBuffer();
    return true;
  }`,
    ),
  },
  {
    name: 'iterator-ignores-truncation',
    targets: ['KVS-CLIENT-001'],
    bug: 'the key iterator yields the first page only, ignoring isTruncated and nextExclusiveStartKey',
    narrow: true,
    breaks: 'iteration',
    source: faultyDriverModule(
      'iterator-ignores-truncation',
      `  async *iterateKeys(storeId, query = {}) {
    const { limit, ...walk } = query;
    const page = await this.listKeys(storeId, walk);
    yield* page.items.slice(0, limit ?? Infinity);
  }`,
    ),
  },
  {
    name: 'body-decoded-as-utf8',
    targets: ['KVS-RECORD-001', 'KVS-CLIENT-005', 'KVS-RECORD-014'],
    bug: 'every body is decoded as UTF-8 text and encoded again, which changes bytes that are not UTF-8',
    narrow: true,
    breaks: 'bodies',
    source: faultyDriverModule(
      'body-decoded-as-utf8',
      `  async bytes(response) {
    return Buffer.from((await super.bytes(response)).toString('utf8'));
  }`,
    ),
  },
  {
    name: 'unusual-type-as-octet-stream',
    targets: ['KVS-RECORD-001', 'KVS-RECORD-014'],
    bug: 'a record of a media type other than JSON, text or XML is sent as application/octet-stream',
    narrow: true,
    breaks: 'bodies',
    source: faultyDriverModule(
      'unusual-type-as-octet-stream',
      `  async setRecord(storeId, key, value, contentType) {
    const usual = /^(application\\/json|text\\/|application\\/xml)/.test(contentType);
    return super.setRecord(storeId, key, value, usual ? contentType : 'application/octet-stream');
  }`,
    ),
  },
  {
    name: 'json-scalar-stringified-twice',
    targets: ['KVS-RECORD-014'],
    bug: 'a JSON scalar value (a number, a boolean, null) is stringified twice, so 0 is stored as "0"',
    narrow: true,
    breaks: 'bodies',
    source: faultyDriverModule(
      'json-scalar-stringified-twice',
      `  async setRecordValue(storeId, key, value, contentType) {
    const scalar = value === null || typeof value === 'number' || typeof value === 'boolean';
    return scalar
      ? this.setRecord(storeId, key, Buffer.from(JSON.stringify(JSON.stringify(value))), contentType ?? 'application/json; charset=utf-8')
      : super.setRecordValue(storeId, key, value, contentType);
  }`,
    ),
  },
  {
    name: 'name-in-body',
    targets: ['KVS-NAME-001'],
    bug: 'getOrCreateStore sends the name in a JSON body instead of the query, so every store is unnamed',
    breaks: 'stores',
    source: faultyDriverModule(
      'name-in-body',
      `  async getOrCreateStore(name) {
    return this.data(
      await this.call('POST', '/key-value-stores', {}, name === undefined ? undefined : { data: JSON.stringify({ name }), contentType: 'application/json' }),
    );
  }`,
    ),
  },
  {
    name: 'get-or-create-not-atomic',
    targets: ['KVS-NAME-003'],
    bug: 'getOrCreateStore(name) looks the name up (GET ~name) and, on a miss, creates an unnamed store and renames it: callers racing for one new name each make a store, and all but one rename fails',
    narrow: true,
    breaks: 'stores',
    source: faultyDriverModule(
      'get-or-create-not-atomic',
      `  async getOrCreateStore(name) {
    if (name === undefined) return super.getOrCreateStore();
    const found = await this.getStore('~' + name);
    if (found) return found;
    const store = await super.getOrCreateStore();
    return this.updateStore(store.id, { name });
  }`,
    ),
  },
  {
    name: 'rename-checks-name-taken',
    targets: ['KVS-RECORD-013'],
    bug: 'updateStore checks that no store holds the new name before sending it, and the store itself counts: a rename onto its own name throws',
    narrow: true,
    breaks: 'stores',
    source: faultyDriverModule(
      'rename-checks-name-taken',
      `  async updateStore(storeId, fields) {
    if (typeof fields.name === 'string' && (await this.getStore('~' + fields.name)) !== undefined)
      throw new Error('a store named ' + fields.name + ' exists already');
    return super.updateStore(storeId, fields);
  }`,
    ),
  },
  {
    name: 'list-stores-drops-offset-desc',
    targets: ['KVS-PAGE-004', 'KVS-PAGE-005'],
    bug: 'listStores sends limit and unnamed but drops offset and desc',
    breaks: 'stores',
    source: faultyDriverModule(
      'list-stores-drops-offset-desc',
      `  async listStores(query = {}) {
    return super.listStores({ limit: query.limit, unnamed: query.unnamed });
  }`,
    ),
  },
  {
    name: 'exists-true-on-404',
    targets: ['KVS-NOTFOUND-005', 'KVS-CLIENT-002'],
    bug: 'recordExists is true on a 404 (it checks only that the HEAD did not fail with 5xx)',
    breaks: 'misses',
    source: faultyDriverModule(
      'exists-true-on-404',
      `  async recordExists(storeId, key) {
    const response = await this.call('HEAD', \`/key-value-stores/\${storeId}/records/\${encodeURIComponent(key)}\`);
    return response.status < 500;
  }`,
    ),
  },
  {
    name: 'cursor-from-first-key',
    targets: ['KVS-CLIENT-001'],
    bug: "the key iterator asks for the next page after the page's first key instead of nextExclusiveStartKey",
    narrow: true,
    breaks: 'iteration',
    source: faultyDriverModule(
      'cursor-from-first-key',
      `  async *iterateKeys(storeId, query = {}) {
    const { limit, ...walk } = query;
    let cursor = walk.exclusiveStartKey;
    for (let pages = 0; pages < 1000; pages += 1) {
      const page = await this.listKeys(storeId, { ...walk, ...(cursor === undefined ? {} : { exclusiveStartKey: cursor }) });
      yield* page.items;
      if (!page.nextExclusiveStartKey) return;
      cursor = page.items[0]?.key;
    }
  }`,
    ),
  },
  {
    name: 'retries-429-past-bound',
    targets: ['KVS-CLIENT-004'],
    bug: 'a 429 is retried twice more than maxRetries (rate limits counted apart from the bound)',
    narrow: true,
    breaks: 'retries',
    source: faultyDriverModule(
      'retries-429-past-bound',
      `  constructor(context) {
    super({ ...context, maxRetries: 0 });
    this.retryBound = context.maxRetries;
  }
  async call(method, path, query = {}, body) {
    let response = await super.call(method, path, query, body);
    for (let attempt = 0; ; attempt += 1) {
      const bound = response.status === 429 ? this.retryBound + 2 : this.retryBound;
      if (attempt >= bound || !(response.status === 429 || response.status >= 500)) return response;
      await response.arrayBuffer();
      await new Promise((resolve) => setTimeout(resolve, 10));
      response = await super.call(method, path, query, body);
    }
  }`,
    ),
  },
  // Bugs a stranger's client slipped past a default `run --driver` (key and name encoding, the
  // iterator's prefix and limit on later pages, retried 4xx answers).
  {
    name: 'key-not-encoded',
    targets: ['KVS-CLIENT-007'],
    bug: "record keys go into the path as they are, so 'x#y' is sent as x (a fragment), 'x?y' as x with a query, '50%' unencoded",
    narrow: true,
    breaks: 'stores',
    source: faultyDriverModule(
      'key-not-encoded',
      `  async call(method, path, query, body) {
    return super.call(method, path.replace(/\\/records\\/(.*)$/, (whole, key) => '/records/' + decodeURIComponent(key)), query, body);
  }`,
    ),
  },
  {
    name: 'name-query-unencoded',
    targets: ['KVS-CLIENT-007'],
    bug: "getOrCreateStore writes ?name= into the URL unencoded, so 'shop&desc=1' adds a parameter, 'a+b' reads as 'a b' and 'x#y' as x",
    narrow: true,
    breaks: 'stores',
    source: faultyDriverModule(
      'name-query-unencoded',
      `  async getOrCreateStore(name) {
    if (name === undefined) return super.getOrCreateStore();
    return this.data(await this.call('POST', '/key-value-stores?name=' + name));
  }`,
    ),
  },
  {
    name: 'store-id-not-encoded',
    targets: ['KVS-CLIENT-007'],
    bug: "a store id goes into the path as it is (escaped by hand, or not at all), so 'x#y' addresses store x and 'a b' a store the URL parser spells on its own",
    narrow: true,
    breaks: 'stores',
    source: faultyDriverModule(
      'store-id-not-encoded',
      `  async call(method, path, query, body) {
    return super.call(method, path.replace(/^\\/key-value-stores\\/([^/]+)/, (whole, id) => '/key-value-stores/' + decodeURIComponent(id)), query, body);
  }`,
    ),
  },
  {
    name: 'name-lookup-unencoded',
    targets: ['KVS-CLIENT-007'],
    bug: "getOrCreateStore first looks the name up as GET /v2/key-value-stores/~<name> with the name unencoded ('x?y' asks for ~x with a query)",
    narrow: true,
    breaks: 'stores',
    source: faultyDriverModule(
      'name-lookup-unencoded',
      `  async getOrCreateStore(name) {
    if (name !== undefined) {
      const found = await this.call('GET', '/key-value-stores/~' + name);
      if (found.ok) return this.data(found);
      await found.arrayBuffer();
    }
    return super.getOrCreateStore(name);
  }`,
    ),
  },
  {
    name: 'iterator-prefix-first-page-only',
    targets: ['KVS-CLIENT-001'],
    bug: 'the key iterator sends the prefix with the first page only, so later pages list keys outside the prefix',
    narrow: true,
    breaks: 'iteration',
    source: faultyDriverModule(
      'iterator-prefix-first-page-only',
      `  async *iterateKeys(storeId, query = {}) {
    const { limit, prefix, ...walk } = query;
    let cursor = walk.exclusiveStartKey;
    let left = limit ?? Infinity;
    for (let first = true; left > 0; first = false) {
      const page = await this.listKeys(storeId, {
        ...walk,
        ...(first && prefix !== undefined ? { prefix } : {}),
        ...(cursor === undefined ? {} : { exclusiveStartKey: cursor }),
        ...(left === Infinity ? {} : { limit: left }),
      });
      const items = page.items.slice(0, left);
      yield* items;
      left -= items.length;
      if (page.nextExclusiveStartKey === null || page.nextExclusiveStartKey === undefined) return;
      cursor = page.nextExclusiveStartKey;
    }
  }`,
    ),
  },
  {
    name: 'iterator-limit-per-page',
    targets: ['KVS-CLIENT-001'],
    bug: "the key iterator passes the caller's limit to every page and yields every page whole, so limit caps each page, not the walk",
    narrow: true,
    breaks: 'iteration',
    source: faultyDriverModule(
      'iterator-limit-per-page',
      `  async *iterateKeys(storeId, query = {}) {
    let cursor = query.exclusiveStartKey;
    for (;;) {
      const page = await this.listKeys(storeId, { ...query, ...(cursor === undefined ? {} : { exclusiveStartKey: cursor }) });
      yield* page.items;
      if (page.nextExclusiveStartKey === null || page.nextExclusiveStartKey === undefined) return;
      cursor = page.nextExclusiveStartKey;
    }
  }`,
    ),
  },
  {
    name: 'get-miss-throws',
    targets: ['KVS-NOTFOUND-005', 'KVS-CLIENT-002'],
    bug: 'getRecord throws an error carrying status 404 for a missing record instead of returning undefined',
    breaks: 'misses',
    source: faultyDriverModule(
      'get-miss-throws',
      `  async getRecord(storeId, key) {
    const record = await super.getRecord(storeId, key);
    if (record === undefined)
      throw Object.assign(new Error('404 record-not-found: Record was not found'), { status: 404, type: 'record-not-found' });
    return record;
  }`,
    ),
  },
  {
    name: 'retries-4xx',
    targets: ['KVS-CLIENT-003'],
    bug: 'every error status but 404 is retried (a 400, 401, 403 or 413 too), not only 429 and 5xx',
    narrow: true,
    breaks: 'errors',
    source: faultyDriverModule(
      'retries-4xx',
      `  constructor(context) {
    super({ ...context, maxRetries: 0 });
    this.retryBound = context.maxRetries;
  }
  async call(method, path, query = {}, body) {
    let response = await super.call(method, path, query, body);
    for (let attempt = 0; attempt < this.retryBound && response.status >= 400 && response.status !== 404; attempt += 1) {
      await response.arrayBuffer();
      await new Promise((resolve) => setTimeout(resolve, 10));
      response = await super.call(method, path, query, body);
    }
    return response;
  }`,
    ),
  },
];

/**
 * One planted bug per class of issue #27's table (what a default `run --driver` must catch on every
 * seed): each class's fault is found on fixed cases, never by luck of the generated ones.
 */
export const CLIENT_BUG_CLASSES: readonly string[] = [
  'empty-record-as-miss',
  'prefix-dropped-with-cursor',
  'every-404-a-miss',
  'iterator-ignores-truncation',
  'body-decoded-as-utf8',
  'unusual-type-as-octet-stream',
  'json-scalar-stringified-twice',
  'name-in-body',
  'list-stores-drops-offset-desc',
  'exists-true-on-404',
  'cursor-from-first-key',
  'retries-429-past-bound',
];
