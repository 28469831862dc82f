// KVS-CLIENT: the other half of a client's contract, how it treats the server's answers. Answers
// generated from the contract (valid key pages, documented error envelopes, record bodies of every
// kind) are served by a local scripted server (harness/http/scripted-server.ts, real sockets) to
// every HTTP-based client driver of the run (apify-client at each selected version, a user's
// client, a stdio driver in another process); the real target is not involved.
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, describe, it } from 'vitest';
import {
  expectRule,
  mediaTypeOf,
  cites,
  isClientDriver,
  startScriptedServer,
  useConformance,
  type DriverCapability,
  type KvsDriver,
  type RuleId,
  type Script,
  type ScriptedAnswer,
  type ScriptedRequest,
} from '../harness/index.ts';
import {
  documentedErrorAnswers,
  errorAnswerArbitrary,
  examplesThenRuns,
  keyPageEdges,
  keyPagesArbitrary,
  nonMissingNotFoundTypes,
  notFoundErrorTypes,
  prefixedListingArbitrary,
  prefixedListingEdges,
  recordValueArbitrary,
  recordValueEdges,
  reservedTextArbitrary,
  reservedTextEdges,
  RETRIED_STATUSES,
  type ErrorAnswer,
  type PrefixedListing,
} from '../generators/index.ts';
import {
  keySegmentProblem,
  nameQueryProblem,
  nameSegmentProblem,
  storeSegmentProblem,
} from './support/request-target.ts';
import { expectedUnderPrefix, keyListingAnswer } from './support/scripted-key-listing.ts';

const kvs = await useConformance('client');
const { contract } = kvs;

/** The local server that answers the clients under test (real sockets: a driver in another process too). */
const server = await startScriptedServer();
afterAll(() => server.close());
const ORIGIN = server.origin;
const TOKEN = `client-contract-${randomBytes(8).toString('hex')}`;
/** The retry bound the drivers are built with here (their factories get it as maxRetries). */
const MAX_RETRIES = 2;
const STORE = 'store-1';
const KEYS_PATH = `/v2/key-value-stores/${STORE}/keys`;
const RECORDS_PATH = `/v2/key-value-stores/${STORE}/records/`;
const RECORD_PATH = new RegExp(`^${RECORDS_PATH}`);
/** The record calls that put a key into the path (KVS-CLIENT-007). */
const KEYED_CALLS = ['setRecord', 'getRecord', 'recordExists', 'deleteRecord'] as const;
/** The store calls that put a store id into the path, with what follows its segment (KVS-CLIENT-007). */
const STORE_CALLS = [
  ['getStore', ''],
  ['listKeys', '/keys'],
  ['deleteStore', ''],
] as const;
/** A store as an answer's `data` has it. */
const storeData = (id: string) => ({
  id,
  name: null,
  userId: 'user-1',
  createdAt: '2024-01-01T00:00:00.000Z',
  modifiedAt: '2024-01-01T00:00:00.000Z',
  accessedAt: '2024-01-01T00:00:00.000Z',
});
/** A page of no keys. */
const EMPTY_KEYS_PAGE = {
  data: {
    items: [],
    count: 0,
    limit: 1000,
    exclusiveStartKey: null,
    isTruncated: false,
    nextExclusiveStartKey: null,
  },
};
const clientRuns = Math.min(kvs.context.runs, 15);

/** Serves `answer` for every request from now on and returns the requests seen. */
const serve = (answer: Script): ScriptedRequest[] => server.script(answer);

const envelope = (answer: ErrorAnswer): ScriptedAnswer => [
  answer.status,
  { error: { type: answer.type, message: answer.message } },
  { 'content-type': 'application/json' },
];

/** Status and type as a typed client error carries them (`statusCode` as apify-client's ApifyApiError, or `status`). */
function statusAndType(error: unknown): { status: unknown; type: unknown } {
  const typed = error as { statusCode?: unknown; status?: unknown; type?: unknown } | undefined;
  return { status: typed?.statusCode ?? typed?.status, type: typed?.type };
}

const outcome = <T>(call: () => Promise<T>): Promise<{ value?: T; error?: unknown; threw: boolean }> =>
  call().then(
    (value) => ({ value, threw: false }),
    (error: unknown) => ({ error, threw: true }),
  );

/** The reads a not-found 404 must turn into a miss (KVS-CLIENT-002). */
const MISS_READS = ['getRecord', 'getStore', 'recordExists'] as const;
/** The calls whose retries KVS-CLIENT-004 checks (its operations: record read, record write, key listing). */
const RETRIED_CALLS = ['getRecord', 'setRecord', 'listKeys'] as const;
type RetriedCall = (typeof RETRIED_CALLS)[number];

/** What a check needs of a driver: a capability it may declare unsupported, or an optional operation. */
type ClientNeed = DriverCapability | 'getRecordValue';

/** Why `driver` cannot express `need`, or undefined when it can. */
const whyNot = (driver: KvsDriver, need: ClientNeed): string | undefined =>
  need === 'getRecordValue'
    ? driver.getRecordValue
      ? undefined
      : 'the driver has no getRecordValue, so how it decodes record values cannot be checked'
    : driver.unsupported?.[need];

/** A test of `rules` through `driver`, or a skipped one saying why the driver cannot express it. */
function clientTest(
  driver: KvsDriver,
  rules: readonly RuleId[],
  text: string,
  needs: readonly ClientNeed[],
  body: (client: KvsDriver) => Promise<void>,
): void {
  const missing = needs.map((need) => whyNot(driver, need)).find(Boolean);
  const cited = `${rules.join(' ')} [${driver.name}]`;
  if (missing) {
    it.skip(`${cited} not applicable: ${missing}`, cites(rules, driver.name), () => undefined);
    return;
  }
  it(`${cited} ${text}`, cites(rules, driver.name), async () => {
    await body(await kvs.makeDriver(driver, { targetUrl: ORIGIN, token: TOKEN, maxRetries: MAX_RETRIES }));
  });
}

/** KVS-CLIENT-003 for one error answer: the call throws an error carrying its status and type. */
async function checkErrorAnswer(
  client: KvsDriver,
  driver: KvsDriver,
  operation: 'getRecord' | 'getStore',
  answer: ErrorAnswer,
): Promise<void> {
  const seen = serve(() => envelope(answer));
  const read = await outcome<unknown>(() =>
    operation === 'getRecord' ? client.getRecord(STORE, 'k') : client.getStore(STORE),
  );
  const carried = statusAndType(read.error);
  // apify-client's http_client: 429 and 500+ are retried, "300-499 other than 429 are not": such
  // an answer is final after the one request (a 5xx's retries are KVS-CLIENT-004's).
  const final = answer.status >= 400 && answer.status < 500 && answer.status !== 429;
  expectRule(
    read.threw &&
      carried.status === answer.status &&
      carried.type === answer.type &&
      (!final || seen.length === 1),
    'KVS-CLIENT-003',
    `${driver.name}.${operation} on ${answer.status} ${answer.type} ${read.threw ? `threw an error carrying status ${String(carried.status)} and type ${String(carried.type)}` : `returned ${JSON.stringify(read.value)}`}${final && seen.length !== 1 ? ` after ${seen.length} requests (a ${answer.status} is not retried: 1 expected)` : ''}`,
  );
}

const clientDrivers = kvs.context.clientContract
  ? kvs.drivers.filter((driver) => isClientDriver(driver.info))
  : [];

for (const driver of clientDrivers) {
  describe(`client contract of ${driver.name}`, () => {
    clientTest(
      driver,
      ['KVS-CLIENT-001'],
      'the key iterator yields exactly the keys of any valid page sequence and stops on the last page',
      ['keyIterator'],
      async (client) => {
        await fc.assert(
          fc.asyncProperty(keyPagesArbitrary(contract), async (pages) => {
            const seen = serve((request) => {
              const cursor = new URL(request.url, ORIGIN).searchParams.get('exclusiveStartKey');
              const page = pages.find((each) => each.exclusiveStartKey === cursor);
              return page
                ? [200, { data: page }, { 'content-type': 'application/json' }]
                : envelope({
                    status: 400,
                    type: 'invalid-input',
                    message: `no page after ${String(cursor)}`,
                  });
            });
            const expected = pages.flatMap((page) => page.items.map((item) => item.key));
            const yielded: string[] = [];
            const iteration = await outcome(async () => {
              for await (const item of client.iterateKeys?.(STORE) ?? []) {
                yielded.push(item.key);
                if (yielded.length > expected.length + 20) break;
              }
            });
            const asked = seen.map((request) =>
              new URL(request.url, ORIGIN).searchParams.get('exclusiveStartKey'),
            );
            expectRule(
              !iteration.threw && yielded.join('\n') === expected.join('\n') && seen.length === pages.length,
              'KVS-CLIENT-001',
              `${driver.name} over ${pages.length} page(s) yielded ${JSON.stringify(yielded.slice(0, 30))}${iteration.threw ? ` and threw ${String((iteration.error as Error).message)}` : ''}, expected ${JSON.stringify(expected)}; it asked for cursors ${JSON.stringify(asked.slice(0, 10))} (${seen.length} request(s))`,
            );
          }),
          // The named edges every time (an empty store, a full last page, a truncated short page,
          // a prefixed listing over several pages), generated page sequences on top.
          examplesThenRuns(
            keyPageEdges().map((pages) => [pages] as [typeof pages]),
            clientRuns,
          ),
        );
      },
    );

    clientTest(
      driver,
      ['KVS-CLIENT-001'],
      'under a prefix with a limit, the key iterator sends the prefix with every page and yields the first limit keys',
      ['keyIterator', 'keyPrefix'],
      async (client) => {
        await fc.assert(
          fc.asyncProperty(prefixedListingArbitrary(), async (listing: PrefixedListing) => {
            const seen = serve(keyListingAnswer(listing.keys, listing.pageSize));
            const expected = expectedUnderPrefix(listing.keys, listing.prefix, listing.limit);
            const yielded: string[] = [];
            const query = {
              prefix: listing.prefix,
              ...(listing.limit === undefined ? {} : { limit: listing.limit }),
            };
            const iteration = await outcome(async () => {
              for await (const item of client.iterateKeys?.(STORE, query) ?? []) {
                yielded.push(item.key);
                if (yielded.length > listing.keys.length + 20) break;
              }
            });
            const prefixes = seen.map((request) => new URL(request.url, ORIGIN).searchParams.get('prefix'));
            const lost = prefixes.filter((prefix) => prefix !== listing.prefix).length;
            expectRule(
              !iteration.threw && lost === 0 && yielded.join('\n') === expected.join('\n'),
              'KVS-CLIENT-001',
              `${driver.name}.iterateKeys(${JSON.stringify(query)}) over ${JSON.stringify(listing.keys)} (pages of ${listing.pageSize}) yielded ${JSON.stringify(yielded.slice(0, 30))}${iteration.threw ? ` and threw ${String((iteration.error as Error).message)}` : ''}, expected ${JSON.stringify(expected)}; the prefixes it sent: ${JSON.stringify(prefixes.slice(0, 10))}${lost > 0 ? ` (${lost} page request(s) without the prefix)` : ''}`,
            );
          }),
          // A prefix dropped on a later page, a limit ending inside a page, every time.
          examplesThenRuns(
            prefixedListingEdges().map((listing) => [listing] as [PrefixedListing]),
            clientRuns,
          ),
        );
      },
    );

    clientTest(
      driver,
      ['KVS-CLIENT-002'],
      'a 404 with a not-found type reads as undefined (recordExists false), never a thrown error',
      [],
      async (client) => {
        await fc.assert(
          fc.asyncProperty(
            fc.constantFrom(...notFoundErrorTypes(contract)),
            fc.constantFrom(...MISS_READS),
            async (type, operation) => {
              serve((request) =>
                request.method === 'HEAD' ? [404, ''] : envelope({ status: 404, type, message: 'not found' }),
              );
              const read = await outcome<unknown>(() =>
                operation === 'getRecord'
                  ? client.getRecord(STORE, 'k')
                  : operation === 'getStore'
                    ? client.getStore(STORE)
                    : client.recordExists(STORE, 'k'),
              );
              const expected = operation === 'recordExists' ? false : undefined;
              expectRule(
                !read.threw && read.value === expected,
                'KVS-CLIENT-002',
                `${driver.name}.${operation} on a 404 ${type} ${read.threw ? `threw ${String((read.error as Error).message)}` : `returned ${JSON.stringify(read.value)}`}, expected ${String(expected)}`,
              );
            },
          ),
          // Every not-found type with every read, every time.
          examplesThenRuns(
            notFoundErrorTypes(contract).flatMap((type) =>
              MISS_READS.map((operation) => [type, operation] as [string, (typeof MISS_READS)[number]]),
            ),
            clientRuns,
          ),
        );
      },
    );

    clientTest(
      driver,
      ['KVS-CLIENT-003'],
      'any other error answer throws an error carrying its status and type',
      [],
      async (client) => {
        // Every documented error answer once, then generated ones (other types, other statuses).
        const notFound = new Set(notFoundErrorTypes(contract));
        for (const operation of ['getRecord', 'getStore'] as const) {
          const documented = documentedErrorAnswers(
            contract,
            operation === 'getRecord' ? 'keyValueStore_record_get' : 'keyValueStore_get',
          ).filter((answer) => !(answer.status === 404 && notFound.has(answer.type)));
          for (const answer of documented) await checkErrorAnswer(client, driver, operation, answer);
          // A 404 whose type is not a not-found type is an error, not a miss: each such type, every time.
          for (const type of nonMissingNotFoundTypes(contract))
            await checkErrorAnswer(client, driver, operation, { status: 404, type, message: 'not a miss' });
        }
        await fc.assert(
          fc.asyncProperty(
            fc.oneof(
              errorAnswerArbitrary(contract, 'keyValueStore_record_get').map(
                (answer) => ['getRecord', answer] as const,
              ),
              errorAnswerArbitrary(contract, 'keyValueStore_get').map(
                (answer) => ['getStore', answer] as const,
              ),
            ),
            async ([operation, answer]) => checkErrorAnswer(client, driver, operation, answer),
          ),
          { numRuns: clientRuns },
        );
      },
    );

    clientTest(
      driver,
      ['KVS-CLIENT-004'],
      '5xx and 429 are retried within the bound, each retry repeating the request unchanged',
      [],
      async (client) => {
        await fc.assert(
          fc.asyncProperty(
            fc.constantFrom(...RETRIED_STATUSES),
            fc.integer({ min: 1, max: MAX_RETRIES + 1 }),
            fc.constantFrom(...RETRIED_CALLS),
            fc.string({ maxLength: 40 }),
            async (status, failures, operation, text) => {
              const seen = serve((request, index) => {
                if (index < failures)
                  return envelope({
                    status,
                    type: status === 429 ? 'rate-limit-exceeded' : 'internal-server-error',
                    message: 'try again',
                  });
                if (request.method === 'PUT') return [201, {}, { 'content-type': 'application/json' }];
                if (request.url.startsWith(KEYS_PATH))
                  return [
                    200,
                    {
                      data: {
                        items: [],
                        count: 0,
                        limit: 1000,
                        isTruncated: false,
                        exclusiveStartKey: null,
                        nextExclusiveStartKey: null,
                      },
                    },
                    { 'content-type': 'application/json' },
                  ];
                return [200, text, { 'content-type': 'text/plain; charset=utf-8' }];
              });
              const call = await outcome<unknown>(() =>
                operation === 'getRecord'
                  ? client.getRecord(STORE, 'k')
                  : operation === 'setRecord'
                    ? client.setRecord(STORE, 'k', Buffer.from(text), 'text/plain; charset=utf-8')
                    : client.listKeys(STORE),
              );
              const gaveUp = failures > MAX_RETRIES;
              const first = seen[0];
              const unchanged = seen.every(
                (request) =>
                  request.method === first?.method &&
                  request.url === first.url &&
                  request.body === first.body,
              );
              expectRule(
                seen.length === (gaveUp ? MAX_RETRIES + 1 : failures + 1) &&
                  call.threw === gaveUp &&
                  unchanged,
                'KVS-CLIENT-004',
                `${driver.name}.${operation} with ${failures} answer(s) ${status} then success (maxRetries ${MAX_RETRIES}) sent ${seen.length} request(s), expected ${gaveUp ? MAX_RETRIES + 1 : failures + 1}${unchanged ? '' : ` that differ: ${JSON.stringify(seen.map((request) => `${request.method} ${request.url} ${request.body.slice(0, 40)}`))}`} and ${call.threw ? `threw ${String((call.error as Error).message).split('\n')[0] ?? ''}` : 'succeeded'}`,
              );
            },
          ),
          // Every status and call one answer longer than the bound, and each status just within it,
          // every time; generated runs on top.
          examplesThenRuns(
            [
              ...RETRIED_STATUSES.flatMap((status) =>
                RETRIED_CALLS.map(
                  (operation) =>
                    [status, MAX_RETRIES + 1, operation, 'ok'] as [number, number, RetriedCall, string],
                ),
              ),
              ...RETRIED_STATUSES.map(
                (status, index) =>
                  [status, MAX_RETRIES, RETRIED_CALLS[index % RETRIED_CALLS.length] ?? 'getRecord', 'é'] as [
                    number,
                    number,
                    RetriedCall,
                    string,
                  ],
              ),
            ],
            clientRuns,
          ),
        );
      },
    );

    clientTest(
      driver,
      ['KVS-CLIENT-005'],
      'record bodies come back as JSON, text or bytes by their content type',
      // A driver without getRecordValue hands out raw bytes only: the rule cannot be asked of it.
      ['getRecordValue'],
      async (client) => {
        const readValue = client.getRecordValue?.bind(client);
        if (!readValue) throw new Error(`harness bug: ${client.name} lost getRecordValue`);
        await fc.assert(
          fc.asyncProperty(recordValueArbitrary(), async (sample) => {
            serve((request) =>
              RECORD_PATH.test(request.url)
                ? [200, sample.value, { 'content-type': sample.contentType }]
                : [404, ''],
            );
            const read = await outcome(() => readValue(STORE, 'k'));
            const type = mediaTypeOf(sample.contentType);
            const value = read.value?.value;
            const ok =
              type === 'application/json'
                ? JSON.stringify(value) === JSON.stringify(JSON.parse(sample.value.toString()))
                : type.startsWith('text/') || type.endsWith('xml')
                  ? value === sample.value.toString()
                  : Buffer.isBuffer(value) && value.equals(sample.value);
            expectRule(
              !read.threw && read.value !== undefined && ok,
              'KVS-CLIENT-005',
              `${driver.name} read a ${sample.value.length}-byte ${sample.contentType} record as ${read.threw ? `an error: ${String((read.error as Error).message)}` : read.value === undefined ? 'undefined (a miss)' : `${Buffer.isBuffer(value) ? 'Buffer' : typeof value} ${JSON.stringify(value)?.slice(0, 80) ?? ''}`}`,
            );
          }),
          // Empty bodies of every kind, falsy JSON scalars, multi-byte text and non-UTF-8 bytes, every time.
          examplesThenRuns(
            recordValueEdges().map((sample) => [sample] as [typeof sample]),
            clientRuns,
          ),
        );
      },
    );

    clientTest(
      driver,
      ['KVS-CLIENT-006'],
      'the token goes only in the Authorization header, never in a URL',
      [],
      async (client) => {
        const seen = serve((request) =>
          request.method === 'PUT'
            ? [201, {}, { 'content-type': 'application/json' }]
            : request.url.startsWith(KEYS_PATH)
              ? [
                  200,
                  {
                    data: {
                      items: [],
                      count: 0,
                      limit: 1000,
                      isTruncated: false,
                      exclusiveStartKey: null,
                      nextExclusiveStartKey: null,
                    },
                  },
                  { 'content-type': 'application/json' },
                ]
              : [200, 'x', { 'content-type': 'text/plain' }],
        );
        await client.setRecord(STORE, 'k', Buffer.from('x'), 'text/plain');
        await client.getRecord(STORE, 'k');
        await client.listKeys(STORE);
        const leaks = seen.filter(
          (request) =>
            request.authorization !== `Bearer ${TOKEN}` ||
            request.url.includes(TOKEN) ||
            request.body.includes(TOKEN),
        );
        expectRule(
          seen.length >= 3 && leaks.length === 0,
          'KVS-CLIENT-006',
          `${driver.name}: ${leaks.length} of ${seen.length} request(s) carried the token elsewhere than the Authorization header (or lacked it): ${leaks.map((request) => `${request.method} ${request.url.replaceAll(TOKEN, '<token>')}`).join(', ')}`,
        );
      },
    );

    clientTest(
      driver,
      ['KVS-CLIENT-007'],
      'a record key goes into the path as one percent-encoded segment, a store name into the query percent-encoded',
      [],
      async (client) => {
        await fc.assert(
          fc.asyncProperty(reservedTextArbitrary(), async (text) => {
            const problems: string[] = [];
            for (const operation of KEYED_CALLS) {
              const seen = serve((request) =>
                request.method === 'PUT'
                  ? [201, {}, { 'content-type': 'application/json' }]
                  : request.method === 'DELETE'
                    ? [204, '']
                    : [200, 'x', { 'content-type': 'text/plain; charset=utf-8' }],
              );
              const call = await outcome<unknown>(() =>
                operation === 'setRecord'
                  ? client.setRecord(STORE, text, Buffer.from('x'), 'text/plain; charset=utf-8')
                  : operation === 'getRecord'
                    ? client.getRecord(STORE, text)
                    : operation === 'recordExists'
                      ? client.recordExists(STORE, text)
                      : client.deleteRecord(STORE, text),
              );
              // A client that refuses the key before sending anything keeps the rule.
              if (seen.length === 0 && call.threw) continue;
              if (seen.length === 0) problems.push(`${operation} sent no request and did not refuse the key`);
              for (const request of seen) {
                const problem = keySegmentProblem(request.url, RECORDS_PATH, text);
                if (problem) problems.push(`${operation} sent ${request.method} ${request.url}: ${problem}`);
              }
            }
            // A look-up by name finds none (404); the POST creates the store.
            const seen = serve((request) =>
              request.method === 'GET'
                ? envelope({ status: 404, type: 'record-or-token-not-found', message: 'Store was not found' })
                : [
                    201,
                    { data: { ...storeData(STORE), name: text } },
                    { 'content-type': 'application/json' },
                  ],
            );
            const created = await outcome(() => client.getOrCreateStore(text));
            if (seen.length === 0 && !created.threw)
              problems.push('getOrCreateStore sent no request and did not refuse the name');
            // The get-or-create is the POST; a client may look the name up first, as ~name in the path.
            for (const request of seen) {
              const problem =
                request.method === 'POST'
                  ? nameQueryProblem(request.url, '/v2/key-value-stores', text)
                  : nameSegmentProblem(request.url, text);
              if (problem)
                problems.push(`getOrCreateStore sent ${request.method} ${request.url}: ${problem}`);
            }
            // A store id given to the client is the path's {storeId}: one percent-encoded segment. A
            // '/' is left out: apify-client reads `username/name` as `username~name`, its own shorthand.
            const storeId = text.replaceAll('/', '-');
            for (const [operation, rest] of STORE_CALLS) {
              const seen = serve((request) =>
                request.method === 'DELETE'
                  ? [204, '']
                  : [
                      200,
                      rest === '' ? { data: storeData(storeId) } : EMPTY_KEYS_PAGE,
                      { 'content-type': 'application/json' },
                    ],
              );
              const call = await outcome<unknown>(() =>
                operation === 'getStore'
                  ? client.getStore(storeId)
                  : operation === 'listKeys'
                    ? client.listKeys(storeId)
                    : client.deleteStore(storeId),
              );
              if (seen.length === 0 && call.threw) continue;
              if (seen.length === 0) problems.push(`${operation} sent no request and did not refuse the id`);
              for (const request of seen) {
                const problem = storeSegmentProblem(request.url, storeId, rest);
                if (problem) problems.push(`${operation} sent ${request.method} ${request.url}: ${problem}`);
              }
            }
            expectRule(
              problems.length === 0,
              'KVS-CLIENT-007',
              `${driver.name} with the key and store name ${JSON.stringify(text)}: ${problems.join('; ')}`,
            );
          }),
          // '#', '?', '%', '/', space, '~', '&', '+' and non-ASCII each in a word, every time.
          examplesThenRuns(
            reservedTextEdges().map((text) => [text] as [string]),
            clientRuns,
          ),
        );
      },
    );
  });
}
