import type { Exchange } from '../http/exchange.ts';
import type { HttpClient } from '../http/http-client.ts';
import type { ConsistencyOperation, ProbeReading } from './consistency-operation.ts';

/** How one trial of one kind of change is prepared, made and watched. */
export interface ConsistencyTrialPlan {
  /** Brings the target into the state before the change (runVisibilityTrial then waits until every reader sees it stably). */
  setup(): Promise<void>;
  /**
   * Makes the change; resolves when the target acknowledged it, with how long the acknowledgement's
   * body took after its status line (ms, Exchange.bodyMs): the acknowledgement counts from its status.
   */
  write(): Promise<number>;
  /** One probe read by reader `reader`, classified against the states before and after the change. */
  probe(reader: number): Promise<ProbeReading>;
}

/** What a plan needs: the client, the bench's own record store and store names under the run prefix. */
export interface TrialPlanContext {
  /** Setup requests and, without sessions, the change and every probe. */
  readonly client: HttpClient;
  /**
   * Sticky readers: one client per reader, each on one keep-alive connection (a session); reader
   * i probes through sessions[i], and the change is made through sessions[0] (the writer's
   * session, whose reads then show whether it reads its own writes).
   */
  readonly sessions?: readonly HttpClient[];
  /** The versions a `versions` trial writes (v1 settled first, then v2 … vK back to back; ≥ 3). */
  readonly versions: number;
  /** A store the bench created for record trials. */
  readonly storeId: string;
  /** A fresh, unique name for this trial (key or store name). */
  readonly name: string;
  /** Called with every store the trial creates, before anything else happens to it (the journal). */
  readonly created: (store: { readonly id: string; readonly name: string | null }) => void;
}

/** A request that did not get the expected status: the trial cannot go on. */
export class TrialRequestError extends Error {
  override readonly name = 'TrialRequestError';
}

async function call(
  client: HttpClient,
  method: string,
  path: string,
  expected: readonly number[],
  body?: string,
): Promise<Exchange> {
  const exchange = await client.send({
    method,
    path,
    ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } }),
  });
  const status = exchange.response?.status;
  if (status === undefined || !expected.includes(status)) {
    throw new TrialRequestError(
      `${method} ${exchange.request.url} answered ${status ?? exchange.error ?? 'nothing'} (expected ${expected.join(' or ')})`,
    );
  }
  return exchange;
}

const enc = encodeURIComponent;

function recordPlan(context: TrialPlanContext, operation: ConsistencyOperation): ConsistencyTrialPlan {
  const { client, storeId, name: key } = context;
  const writer = context.sessions?.[0] ?? client;
  const reader = (index: number): HttpClient => context.sessions?.[index] ?? client;
  const recordPath = `/v2/key-value-stores/${enc(storeId)}/records/${enc(key)}`;
  const keysPath = `/v2/key-value-stores/${enc(storeId)}/keys?prefix=${enc(key)}&limit=1000`;
  const before = `before-${key}`;
  const after = `after-${key}`;
  // A `versions` trial writes v1 … vK; vK is the change, v1 the settled state before it.
  const versions = operation === 'versions' ? Math.max(3, context.versions) : 2;
  const version = (index: number) => (index === versions ? after : index === 1 ? before : `v${index}-${key}`);
  const put = async (value: string, through = client): Promise<number> =>
    (await call(through, 'PUT', recordPath, [200, 201, 204], JSON.stringify(value))).bodyMs ?? 0;
  const readValue = async (index: number): Promise<ProbeReading> => {
    const exchange = await reader(index).send({ method: 'GET', path: recordPath });
    const status = exchange.response?.status;
    const bodyMs = exchange.bodyMs ?? 0;
    // 404 is the change for a delete, the state before for a new key, and older than the state
    // before for an overwrite (the key held a value): a reordered update.
    if (status === 404) {
      if (operation === 'delete') return { state: 'new', shown: '404', versionsOld: 0, bodyMs };
      if (operation === 'new-key' || operation === 'negative-cache')
        return { state: 'old', shown: '404', versionsOld: 1, bodyMs };
      return {
        state: operation === 'overwrite' || operation === 'versions' ? 'other' : 'old',
        shown: '404',
        bodyMs,
      };
    }
    if (status !== 200)
      return { state: 'other', shown: String(status ?? exchange.error ?? 'no answer'), bodyMs };
    const text = exchange.response?.body.toString() ?? '';
    const shown = `200 ${text.slice(0, 60)}`;
    if (text === JSON.stringify(after))
      return { state: operation === 'delete' ? 'other' : 'new', shown, versionsOld: 0, bodyMs };
    if (operation === 'delete' && text === JSON.stringify(before))
      return { state: 'old', shown, versionsOld: 1, bodyMs };
    if (operation === 'overwrite' || operation === 'versions') {
      for (let index = 1; index < versions; index += 1)
        if (text === JSON.stringify(version(index)))
          return { state: 'old', shown, versionsOld: versions - index, bodyMs };
    }
    return { state: 'other', shown, bodyMs };
  };
  const readListed = async (index: number): Promise<ProbeReading> => {
    const exchange = await reader(index).send({ method: 'GET', path: keysPath });
    const bodyMs = exchange.bodyMs ?? 0;
    if (exchange.response?.status !== 200)
      return {
        state: 'other',
        shown: String(exchange.response?.status ?? exchange.error ?? 'no answer'),
        bodyMs,
      };
    let listed: boolean;
    try {
      const page = JSON.parse(exchange.response.body.toString()) as {
        data?: { items?: { key?: unknown }[] };
      };
      listed = (page.data?.items ?? []).some((item) => item.key === key);
    } catch {
      return { state: 'other', shown: '200 (not JSON)', bodyMs };
    }
    const appears = operation === 'list-add';
    const fresh = listed === appears;
    return {
      state: fresh ? 'new' : 'old',
      shown: listed ? 'listed' : 'not listed',
      versionsOld: fresh ? 0 : 1,
      bodyMs,
    };
  };
  const probe = operation === 'list-add' || operation === 'list-remove' ? readListed : readValue;
  switch (operation) {
    case 'new-key':
    case 'list-add':
      return { setup: async () => {}, write: () => put(after, writer), probe };
    case 'negative-cache':
      return {
        setup: async () => void (await call(client, 'GET', recordPath, [404])),
        write: () => put(after, writer),
        probe,
      };
    case 'overwrite':
      return {
        setup: async () => {
          await put(before);
        },
        write: () => put(after, writer),
        probe,
      };
    case 'versions':
      return {
        setup: async () => {
          await put(version(1));
        },
        // Back to back: each version is sent once the one before was acknowledged, and the trial's
        // time runs from the last one's acknowledgement.
        write: async () => {
          let bodyMs = 0;
          for (let index = 2; index <= versions; index += 1) bodyMs = await put(version(index), writer);
          return bodyMs;
        },
        probe,
      };
    case 'delete':
    case 'list-remove':
      return {
        setup: async () => {
          await put(before);
        },
        write: async () => (await call(writer, 'DELETE', recordPath, [200, 204])).bodyMs ?? 0,
        probe,
      };
    case 'store-create':
    case 'rename':
      throw new Error(`not a record operation: ${operation}`);
  }
}

interface StoreItem {
  readonly id?: unknown;
  readonly name?: unknown;
}

/** The store list (or what was shown instead), and how long its body took after its status (ms). */
async function listStores(client: HttpClient): Promise<{ items: StoreItem[] | string; bodyMs: number }> {
  const exchange = await client.send({ method: 'GET', path: '/v2/key-value-stores?desc=true&limit=1000' });
  const bodyMs = exchange.bodyMs ?? 0;
  if (exchange.response?.status !== 200)
    return { items: String(exchange.response?.status ?? exchange.error ?? 'no answer'), bodyMs };
  try {
    const page = JSON.parse(exchange.response.body.toString()) as { data?: { items?: StoreItem[] } };
    return { items: page.data?.items ?? [], bodyMs };
  } catch {
    return { items: '200 (not JSON)', bodyMs };
  }
}

function storePlan(context: TrialPlanContext, operation: ConsistencyOperation): ConsistencyTrialPlan {
  const { client, name } = context;
  const renamed = `${name}-r`;
  let storeId = '';
  const createByName = async (storeName: string): Promise<number> => {
    const exchange = await call(client, 'POST', `/v2/key-value-stores?name=${enc(storeName)}`, [200, 201]);
    const body = exchange.response?.body.toString() ?? '{}';
    const id = (JSON.parse(body) as { data?: { id?: unknown } }).data?.id;
    if (typeof id !== 'string') throw new TrialRequestError('POST key-value-stores answered no data.id');
    storeId = id;
    context.created({ id, name: storeName });
    return exchange.bodyMs ?? 0;
  };
  const probe = async (): Promise<ProbeReading> => {
    const { items, bodyMs } = await listStores(client);
    if (typeof items === 'string') return { state: 'other', shown: items, bodyMs };
    if (operation === 'store-create') {
      const listed = items.some((item) => item.name === name);
      return { state: listed ? 'new' : 'old', shown: listed ? 'listed' : 'not listed', bodyMs };
    }
    const item = items.find((candidate) => candidate.id === storeId);
    if (!item) return { state: 'other', shown: 'not listed', bodyMs };
    const shown = `listed as ${JSON.stringify(item.name)}`;
    if (item.name === renamed) return { state: 'new', shown, bodyMs };
    return { state: item.name === name ? 'old' : 'other', shown, bodyMs };
  };
  if (operation === 'store-create') {
    return { setup: async () => {}, write: () => createByName(name), probe };
  }
  return {
    setup: async () => {
      await createByName(name);
    },
    write: async () => {
      // The renamed store keeps the run prefix, so cleanup finds it by name as well as by id.
      context.created({ id: storeId, name: renamed });
      const exchange = await call(
        client,
        'PUT',
        `/v2/key-value-stores/${enc(storeId)}`,
        [200],
        JSON.stringify({ name: renamed }),
      );
      return exchange.bodyMs ?? 0;
    },
    probe,
  };
}

/** The plan of one trial of `operation`. */
export function consistencyTrialPlan(
  operation: ConsistencyOperation,
  context: TrialPlanContext,
): ConsistencyTrialPlan {
  return operation === 'store-create' || operation === 'rename'
    ? storePlan(context, operation)
    : recordPlan(context, operation);
}

/** Whether a kind of change has a state before it that must settle first (it writes in setup). */
export function settlesSetup(operation: ConsistencyOperation): boolean {
  return (
    operation === 'overwrite' ||
    operation === 'versions' ||
    operation === 'delete' ||
    operation === 'list-remove' ||
    operation === 'rename'
  );
}
