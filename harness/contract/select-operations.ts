import type { OpenAPIV3 } from 'openapi-types';
import { HarnessError } from '../errors.ts';
import type { YamlSource } from './yaml-source.ts';

/** The key-value-store operations of API v2, by operationId: what the harness checks. */
export const KVS_OPERATION_IDS = [
  'keyValueStores_get',
  'keyValueStores_post',
  'keyValueStore_get',
  'keyValueStore_put',
  'keyValueStore_delete',
  'keyValueStore_keys_get',
  'keyValueStore_records_get',
  'keyValueStore_record_get',
  'keyValueStore_record_head',
  'keyValueStore_record_put',
  'keyValueStore_record_post',
  'keyValueStore_record_delete',
] as const;

/**
 * The component schemas the harness reads by name (patterns and lengths; the not-found error
 * types the client checks serve), kept where a base has them; spec/overlay.yaml adds them to a
 * base that lacks them.
 */
const NAMED_SCHEMAS = ['RecordKey', 'StoreName', 'StoreId', 'NotFoundErrorType'];

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** A dereferenced document cut down to some operations. */
export interface SelectedOperations {
  /** Plain JSON (no `$ref`, no shared objects): only the selected operations and their path items. */
  readonly document: OpenAPIV3.Document;
  /** The operationIds asked for that the document does not define. */
  readonly missing: readonly string[];
}

/**
 * Cuts a dereferenced document down to the operations with the given ids (their path items keep
 * their own parameters; other methods and paths go), with the security schemes and the named
 * schemas the harness reads. The result is a plain tree, so an overlay changes one place at a
 * time; a schema that refers to itself cannot be a tree and is KVSC_SPEC_INVALID.
 */
export function selectOperations(
  document: OpenAPIV3.Document,
  operationIds: readonly string[],
  source: YamlSource,
): SelectedOperations {
  const wanted = new Set(operationIds);
  const paths: Record<string, Record<string, unknown>> = {};
  const found = new Set<string>();
  for (const [path, pathItem] of Object.entries(document.paths ?? {})) {
    if (!pathItem) continue;
    for (const method of METHODS) {
      const operation = pathItem[method];
      const id = operation?.operationId;
      if (!operation || id === undefined || !wanted.has(id)) continue;
      found.add(id);
      paths[path] ??= pathItem.parameters ? { parameters: pathItem.parameters } : {};
      paths[path][method] = operation;
    }
  }
  const schemas = Object.fromEntries(
    NAMED_SCHEMAS.flatMap((name) => {
      const schema = document.components?.schemas?.[name];
      return schema ? [[name, schema]] : [];
    }),
  );
  const selected = {
    openapi: document.openapi,
    info: document.info,
    ...(document.servers ? { servers: document.servers } : {}),
    ...(document.security ? { security: document.security } : {}),
    paths,
    components: {
      ...(document.components?.securitySchemes
        ? { securitySchemes: document.components.securitySchemes }
        : {}),
      ...(Object.keys(schemas).length > 0 ? { schemas } : {}),
    },
  };
  let tree: OpenAPIV3.Document;
  try {
    tree = JSON.parse(JSON.stringify(selected)) as OpenAPIV3.Document;
  } catch (error) {
    throw new HarnessError(
      'KVSC_SPEC_INVALID',
      'a schema of a key-value-store operation refers to itself (a circular $ref)',
      {
        location: source.locate('/paths'),
        hint: 'the harness compiles every schema of the 12 operations; write them without cycles',
        cause: error,
      },
    );
  }
  return { document: tree, missing: operationIds.filter((id) => !found.has(id)) };
}
