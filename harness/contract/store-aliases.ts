/**
 * The alias paths of a store (Apify API v2): a run's default store, and the default store of an
 * Actor's or a task's last run, addressed by the run instead of the store id. Each alias operation
 * is a store-scoped operation at another path, with its own operationId; the alias paths have no
 * HEAD record. This is the one table: spec/openapi.yaml writes the alias paths by merging the
 * store-scoped operations, the overlay reaches them through `storeViews`, and the HTTP driver
 * turns a store path into the run's alias path (`run --run-id`).
 */
export interface StoreAliasFamily {
  /** The path that stands for `/v2/key-value-stores/{storeId}`. */
  readonly prefix: string;
  /** Put before a store-scoped operationId to name the alias operation. */
  readonly operationIdPrefix: string;
}

/** The path every store-scoped operation starts with. */
export const STORE_PATH_PREFIX = '/v2/key-value-stores/{storeId}';

/** A run's default store: what `--run-id` addresses. */
export const RUN_STORE_ALIAS: StoreAliasFamily = {
  prefix: '/v2/actor-runs/{runId}/key-value-store',
  operationIdPrefix: 'actorRun_',
};

/** Every alias family, the run's first. */
export const STORE_ALIAS_FAMILIES: readonly StoreAliasFamily[] = [
  RUN_STORE_ALIAS,
  { prefix: '/v2/actors/{actorId}/runs/last/key-value-store', operationIdPrefix: 'actor_runs_last_' },
  {
    prefix: '/v2/actor-tasks/{actorTaskId}/runs/last/key-value-store',
    operationIdPrefix: 'actorTask_runs_last_',
  },
];

/** The store-scoped operations the alias paths offer (every one but HEAD record). */
export const ALIASED_OPERATION_IDS = [
  'keyValueStore_get',
  'keyValueStore_put',
  'keyValueStore_delete',
  'keyValueStore_keys_get',
  'keyValueStore_records_get',
  'keyValueStore_record_get',
  'keyValueStore_record_put',
  'keyValueStore_record_post',
  'keyValueStore_record_delete',
] as const;

/** The alias operation of a store-scoped operation in one family. */
export const aliasOperationId = (family: StoreAliasFamily, operationId: string): string =>
  `${family.operationIdPrefix}${operationId}`;

/** The operationIds of every alias operation (27). */
export const STORE_ALIAS_OPERATION_IDS: readonly string[] = STORE_ALIAS_FAMILIES.flatMap((family) =>
  ALIASED_OPERATION_IDS.map((id) => aliasOperationId(family, id)),
);

/** The family an alias path belongs to, or undefined for any other path. */
export function aliasFamilyOf(path: string): StoreAliasFamily | undefined {
  return STORE_ALIAS_FAMILIES.find(
    (family) => path === family.prefix || path.startsWith(`${family.prefix}/`),
  );
}

/**
 * The document split into views that share its path items: the first holds every path but the
 * alias paths (and the rest of the document); each other one holds one family's alias path items
 * under the store paths they stand for. An overlay action applied to every view reaches a
 * store-scoped operation at each of its paths, and any other node once.
 */
export function storeViews(document: object): object[] {
  const root = document as { paths?: Record<string, unknown> };
  const paths = Object.entries(root.paths ?? {});
  const own = Object.fromEntries(paths.filter(([path]) => aliasFamilyOf(path) === undefined));
  const views: object[] = [{ ...root, paths: own }];
  for (const family of STORE_ALIAS_FAMILIES) {
    const aliased = paths.filter(([path]) => aliasFamilyOf(path) === family);
    if (aliased.length === 0) continue;
    views.push({
      paths: Object.fromEntries(
        aliased.map(([path, item]) => [STORE_PATH_PREFIX + path.slice(family.prefix.length), item]),
      ),
    });
  }
  return views;
}
