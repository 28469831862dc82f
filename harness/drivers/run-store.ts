import { randomBytes } from 'node:crypto';
import type { Contract } from '../contract/load-contract.ts';
import { aliasOperationId, ALIASED_OPERATION_IDS, RUN_STORE_ALIAS } from '../contract/store-aliases.ts';
import { HarnessError } from '../errors.ts';
import type { HttpClient } from '../http/http-client.ts';

/**
 * The default store of an Actor run (`run --run-id`), as the run's main process resolved it
 * (GET /v2/actor-runs/{runId}/key-value-store): plain data, handed to the suite workers.
 */
export interface RunStoreTarget {
  readonly runId: string;
  /** The store's own id, as the alias answered it (HEAD record, which has no alias path, uses it). */
  readonly storeId: string;
  /** Every key the run writes there starts with it (the run prefix), so cleanup finds exactly those. */
  readonly keyPrefix: string;
}

/**
 * The stores a suite file is handed under `--run-id`: one existing store, seen as many. Each
 * "store" is an id of this file's own (never sent to the target) standing for a key namespace
 * in the run's default store; the HTTP API sends its calls to the alias paths with every key in
 * that namespace and reads the answers back without it, so tests running side by side never see
 * each other's records and the rules run unchanged.
 */
export class RunStoreViews {
  readonly target: RunStoreTarget;
  readonly #prefix: string;
  /** View id → its key namespace. */
  readonly #views = new Map<string, string>();

  constructor(target: RunStoreTarget) {
    this.target = target;
    // One suite file of many: its views must not meet another file's.
    this.#prefix = `${target.keyPrefix}${randomBytes(2).toString('hex')}`;
  }

  /** A new view: an id to use as a store id; its keys live under `namespaceOf(id)`. */
  next(): string {
    const id = `${this.#prefix}-${this.#views.size + 1}`;
    this.#views.set(id, `${id}.`);
    return id;
  }

  /** The view of every key the run wrote (the run prefix): what cleanup lists and deletes. */
  everyKeyOfTheRun(): string {
    this.#views.set(this.target.keyPrefix, this.target.keyPrefix);
    return this.target.keyPrefix;
  }

  /** The key prefix of a view, or undefined for any other store id. */
  namespaceOf(storeId: string | undefined): string | undefined {
    return storeId === undefined ? undefined : this.#views.get(storeId);
  }
}

/**
 * Resolves `--run-id` once, before any rule: the contract must document the alias operations of a
 * run's default store, and GET /v2/actor-runs/{runId}/key-value-store must answer 200 with the
 * store. Anything else is a tool error saying what came back.
 */
export async function resolveRunStore(
  contract: Contract,
  client: HttpClient,
  runId: string,
  keyPrefix: string,
): Promise<RunStoreTarget> {
  const missing = ALIASED_OPERATION_IDS.map((id) => aliasOperationId(RUN_STORE_ALIAS, id)).filter(
    (id) => !contract.aliases.has(id),
  );
  if (missing.length > 0)
    throw new HarnessError(
      'KVSC_USAGE',
      `--run-id needs the alias operations of a run's default store; ${contract.specFile} documents no ${missing.join(', ')}`,
      { hint: 'leave out --spec (the shipped contract has them) or give a document that has them' },
    );
  const path = RUN_STORE_ALIAS.prefix.replace('{runId}', encodeURIComponent(runId));
  const exchange = await client.send({ method: 'GET', path, operationId: 'keyValueStore_get' });
  const response = exchange.response;
  let id: unknown;
  try {
    id = (JSON.parse(response?.body.toString('utf8') ?? '') as { data?: { id?: unknown } } | null)?.data?.id;
  } catch {
    id = undefined;
  }
  if (response?.status !== 200 || typeof id !== 'string' || id === '')
    throw new HarnessError(
      'KVSC_USAGE',
      `--run-id ${runId}: GET ${path} answered ${response ? `${response.status}${typeof id === 'string' ? '' : ' without a store id'}` : `nothing (${exchange.error ?? 'no answer'})`}`,
      { hint: 'give the id of an Actor run the token can read (its default store is checked)' },
    );
  return { runId, storeId: id, keyPrefix };
}
