import { afterAll, describe, expect, it } from 'vitest';
import {
  ContractViolationError,
  HttpApi,
  HttpClient,
  loadContract,
  type OperationCall,
  type ProfileSettings,
} from '../../harness/index.ts';
import { startServer } from '../../server/index.ts';
import { editJson, startFaultProxy, type Fault } from '../../proof/faults/fault-proxy.ts';

const contract = await loadContract();
const reference = await startServer();
afterAll(() => reference.close());

/** Runs `body` with an HttpClient pointed at a proxy that applies `fault` in front of the reference server. */
async function throughProxy<T>(
  fault: Fault,
  body: (client: HttpClient) => Promise<T>,
  timeoutMs = 5000,
): Promise<T> {
  const proxy = await startFaultProxy(reference.url, fault);
  const client = new HttpClient({
    baseUrl: proxy.url,
    token: undefined,
    timeoutMs,
    maxResponseBytes: 1 << 20,
    connections: 2,
  });
  try {
    return await body(client);
  } finally {
    await client.close();
    await proxy.close();
  }
}

/** Calls one operation through a proxy applying `fault`, and returns the failure it raised. */
function failureOf(
  fault: Fault,
  operationId: string,
  call: OperationCall = {},
  timeoutMs = 5000,
  settings: Partial<ProfileSettings> = {},
): Promise<ContractViolationError> {
  return throughProxy(
    fault,
    async (client) => {
      const outcome = await new HttpApi(contract, client, { settings }).call(operationId, call).then(
        () => undefined,
        (error: unknown) => error,
      );
      if (!(outcome instanceof ContractViolationError))
        throw new Error(`expected a contract failure, got ${String(outcome)}`);
      return outcome;
    },
    timeoutMs,
  );
}

/** Calls one operation through a proxy applying `fault` and returns the status of the accepted answer. */
function acceptedStatus(fault: Fault, operationId: string, call: OperationCall = {}): Promise<number> {
  return throughProxy(
    fault,
    async (client) => (await new HttpApi(contract, client).call(operationId, call)).status,
    5000,
  );
}

const storesOnly =
  (fault: Fault): Fault =>
  (answer) =>
    answer.method === 'POST' && answer.path.startsWith('/v2/key-value-stores') ? fault(answer) : answer;

describe('the harness catches a faulty target under the right rule', () => {
  it('an undocumented status → KVS-SCHEMA-001', async () => {
    const failure = await failureOf(
      storesOnly((answer) => ({ ...answer, status: 202 })),
      'keyValueStores_post',
    );
    expect(failure.failure.ruleId).toBe('KVS-SCHEMA-001');
    expect(failure.message).toContain('answered 202');
  });

  it('a store without its required createdAt → KVS-SCHEMA-002 with the ajv path', async () => {
    const drop: Fault = (answer) =>
      editJson(answer, (body) => ({ data: { ...(body.data as object), createdAt: undefined } }));
    const failure = await failureOf(storesOnly(drop), 'keyValueStores_post');
    expect(failure.failure.ruleId).toBe('KVS-SCHEMA-002');
    expect(failure.message).toContain("body/data must have required property 'createdAt'");
  });

  it('a JSON body sent as text/plain → KVS-SCHEMA-003', async () => {
    const failure = await failureOf(
      storesOnly((answer) => ({ ...answer, headers: { ...answer.headers, 'content-type': 'text/plain' } })),
      'keyValueStores_post',
    );
    expect(failure.failure.ruleId).toBe('KVS-SCHEMA-003');
  });

  it('a 201 without Location → KVS-SCHEMA-005 under locationHeader required; accepted by default', async () => {
    const dropLocation = storesOnly((answer) => {
      const { location, ...headers } = answer.headers;
      void location;
      return { ...answer, headers };
    });
    const failure = await failureOf(dropLocation, 'keyValueStores_post', {}, 5000, {
      locationHeader: 'required',
    });
    expect(failure.failure.ruleId).toBe('KVS-SCHEMA-005');
    expect(failure.message).toContain('lacks the required header(s) location (locationHeader required)');
    // The official document lists Location without `required`.
    expect(await acceptedStatus(dropLocation, 'keyValueStores_post')).toBe(201);
  });

  it('a 404 with a type apify-client does not treat as not-found → the rule the call judges (under notFoundErrorType apify-client)', async () => {
    const wrongType: Fault = (answer) =>
      answer.status === 404
        ? editJson(answer, () => ({ error: { type: 'page-not-found', message: 'gone' } }))
        : answer;
    // The official 404 schema is the generic envelope: any type passes the generic checks.
    expect(await acceptedStatus(wrongType, 'keyValueStore_get', { storeId: 'AAAAAAAAAAAAAAAAA' })).toBe(404);
    const specific = await failureOf(wrongType, 'keyValueStore_get', {
      storeId: 'AAAAAAAAAAAAAAAAA',
      expect: {
        ruleId: 'KVS-NOTFOUND-002',
        status: [404],
        errorTypes: ['record-not-found', 'record-or-token-not-found'],
      },
    });
    expect(specific.failure.ruleId).toBe('KVS-NOTFOUND-002');
    expect(specific.message).toContain('"page-not-found"');
  });

  it('an undocumented status on a call judging a rule → that rule first, KVS-SCHEMA-001 alongside', async () => {
    const failure = await failureOf(
      storesOnly((answer) => ({ ...answer, status: 202 })),
      'keyValueStores_post',
      { query: { name: 'kvsc-faulty-expect' }, expect: { ruleId: 'KVS-NAME-001', status: [201] } },
    );
    expect(failure.failure.ruleId).toBe('KVS-NAME-001');
    expect(failure.message).toMatch(/^\[KVS-NAME-001\] .*expected status 201, got 202.*\[KVS-SCHEMA-001\]/);
  });

  it('an error answer without the JSON envelope, whatever its Content-Type → KVS-SCHEMA-004', async () => {
    const empty = await failureOf(
      (answer) => (answer.status === 404 ? { ...answer, headers: {}, body: Buffer.alloc(0) } : answer),
      'keyValueStore_get',
      { storeId: 'AAAAAAAAAAAAAAAAA' },
    );
    expect(empty.failure.ruleId).toBe('KVS-SCHEMA-004');
    expect(empty.message).toContain('the body is empty');
    const html = await failureOf(
      (answer) =>
        answer.status === 400
          ? { ...answer, headers: { 'content-type': 'text/html' }, body: Buffer.from('<h1>Bad</h1>') }
          : answer,
      'keyValueStores_get',
      { query: { offset: -1 } },
    );
    expect(html.failure.ruleId).toBe('KVS-SCHEMA-004');
  });

  it('a relative Location resolves against the request URL (RFC 9110 §10.2.2); one naming another resource → KVS-SCHEMA-005', async () => {
    const relative = (location: (absolute: URL) => string): Fault =>
      storesOnly((answer) => ({
        ...answer,
        headers: { ...answer.headers, location: location(new URL(answer.headers.location ?? '')) },
      }));
    expect(
      await acceptedStatus(
        relative((url) => url.pathname),
        'keyValueStores_post',
      ),
    ).toBe(201);
    expect(
      await acceptedStatus(
        relative((url) => url.pathname.replace('/v2/', '')),
        'keyValueStores_post',
      ),
    ).toBe(201);
    const withoutV2 = await failureOf(
      relative((url) => url.pathname.replace(/^\/v2/, '')),
      'keyValueStores_post',
    );
    expect(withoutV2.failure.ruleId).toBe('KVS-SCHEMA-005');
    expect(withoutV2.message).toContain('does not resolve to the created resource');
    const elsewhere = await failureOf(
      storesOnly((answer) => ({
        ...answer,
        headers: { ...answer.headers, location: `${reference.url}/v2/key-value-stores/someOtherStore1` },
      })),
      'keyValueStores_post',
    );
    expect(elsewhere.failure.ruleId).toBe('KVS-SCHEMA-005');
    expect(elsewhere.message).toContain('does not resolve to the created resource');
  });

  /** A store of the reference server's, for the 204 tests. */
  const newStoreId = async (): Promise<string> => {
    const created = await fetch(`${reference.url}/v2/key-value-stores`, { method: 'POST' });
    return ((await created.json()) as { data: { id: string } }).data.id;
  };
  /** Every DELETE's 204 written with a body (raw, as Node's server would not). */
  const bodyOn204: Fault = (answer) =>
    answer.method === 'DELETE' && answer.status === 204
      ? { ...answer, body: Buffer.from('{}'), raw: true }
      : answer;

  it('a 204 that carries a body → KVS-SCHEMA-006', async () => {
    const storeId = await newStoreId();
    const failure = await failureOf(bodyOn204, 'keyValueStore_delete', { storeId });
    expect(failure.failure.ruleId).toBe('KVS-SCHEMA-006');
  });

  it('a 204 that carries a body fails KVS-SCHEMA-006 alone, not the rule the call expected (no cascade)', async () => {
    const storeId = await newStoreId();
    const failure = await failureOf(bodyOn204, 'keyValueStore_record_delete', {
      storeId,
      recordKey: 'missing',
      expect: { ruleId: 'KVS-NOTFOUND-007', status: [204, 404], what: 'DELETE of a missing record' },
    });
    expect(failure.failure.ruleId).toBe('KVS-SCHEMA-006');
    expect(failure.message).toContain('KVS-NOTFOUND-007 could not be judged on it');
  });

  it('malformed JSON → a clear KVS-SCHEMA-002 failure', async () => {
    const failure = await failureOf(
      storesOnly((answer) => ({ ...answer, body: Buffer.from('{"data": {') })),
      'keyValueStores_post',
    );
    expect(failure.failure.ruleId).toBe('KVS-SCHEMA-002');
    expect(failure.message).toContain('is not valid JSON');
  });

  it('a reset connection → a clear failure, not a crash', async () => {
    const failure = await failureOf(
      storesOnly(() => 'reset'),
      'keyValueStores_post',
    );
    expect(failure.message).toMatch(/got no response: .*(socket|closed|reset)/i);
  });

  it('a hanging response → a failure within the timeout', async () => {
    const started = Date.now();
    const failure = await failureOf(
      storesOnly(() => 'hang'),
      'keyValueStores_post',
      {},
      400,
    );
    expect(failure.message).toContain('no complete response within 400 ms');
    // A hang detector, not a speed check: the target never answers, so only the timeout ends the
    // call; a minute is far above the 400 ms it takes on a loaded machine.
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it('429 with Retry-After is waited out and retried, not counted as a failure', async () => {
    let limited = 0;
    const rateLimited: Fault = (answer) => {
      if (answer.method !== 'GET' || limited >= 2) return answer;
      limited += 1;
      return {
        ...answer,
        status: 429,
        headers: { 'content-type': 'application/json', 'retry-after': '0' },
        body: Buffer.from('{"error":{"type":"rate-limit-exceeded","message":"slow down"}}'),
      };
    };
    const response = await throughProxy(rateLimited, (client) =>
      new HttpApi(contract, client).call('keyValueStores_get'),
    );
    expect(response.status).toBe(200);
    expect(limited).toBe(2);
  });

  it('a 302 from GET record is followed when getRecordRedirect allows it, and returned as is otherwise', async () => {
    const storeId = (
      (await (
        await fetch(`${reference.url}/v2/key-value-stores?name=redirects`, { method: 'POST' })
      ).json()) as { data: { id: string } }
    ).data.id;
    await fetch(`${reference.url}/v2/key-value-stores/${storeId}/records/k`, {
      method: 'PUT',
      body: 'stored bytes',
      headers: { 'content-type': 'text/plain' },
    });
    const redirecting: Fault = (answer) =>
      /\/records\/k$/.test(answer.path) && answer.method === 'GET'
        ? {
            ...answer,
            status: 302,
            headers: { location: `${reference.url}${answer.path}` },
            body: Buffer.alloc(0),
          }
        : answer;
    await throughProxy(redirecting, async (client) => {
      const call = { storeId, recordKey: 'k' };
      const followed = await new HttpApi(contract, client, { followRecordRedirects: true }).call(
        'keyValueStore_record_get',
        call,
      );
      expect([followed.status, followed.body.toString()]).toEqual([200, 'stored bytes']);
      expect((await new HttpApi(contract, client).call('keyValueStore_record_get', call)).status).toBe(302);
    });
  });

  it('the failure carries the exchange as a replayable curl line', async () => {
    const failure = await failureOf(
      storesOnly((answer) => ({ ...answer, status: 202 })),
      'keyValueStores_post',
      { query: { name: 'curl-me' } },
    );
    expect(failure.message).toMatch(
      /curl -i -X POST '?http:\/\/127\.0\.0\.1:\d+\/v2\/key-value-stores\?name=curl-me'?/,
    );
    expect(failure.failure.exchanges).toHaveLength(1);
  });
});
