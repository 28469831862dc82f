import type { OpenAPIV3 } from 'openapi-types';
import { HarnessError } from '../errors.ts';
import type { ContractOperation } from './contract-operation.ts';
import type { YamlSource } from './yaml-source.ts';

/** Limits and patterns the harness reads from the spec (their only home). */
export interface ContractLimits {
  /** Largest record body accepted, from `x-kvs-max-payload-bytes` of the record write operations. */
  readonly maxPayloadBytes: number;
  /** Largest store-list page (`maximum` of keyValueStores_get's `limit`). */
  readonly storeListMaxLimit: number;
  /** Largest key-list page (`maximum` of keyValueStore_keys_get's `limit`). */
  readonly keysMaxLimit: number;
  readonly recordKeyPattern: RegExp;
  readonly recordKeyMaxLength: number;
  readonly storeNamePattern: RegExp;
  readonly storeNameMaxLength: number;
  readonly storeIdPattern: RegExp;
}

/** The operations whose `x-kvs-max-payload-bytes` must be present and equal. */
const RECORD_WRITE_OPERATIONS = ['keyValueStore_record_put', 'keyValueStore_record_post'];

/** Reads the contract's limits; a missing or inconsistent one is KVSC_SPEC_LIMIT_MISSING. */
export function readContractLimits(
  document: OpenAPIV3.Document,
  operations: ReadonlyMap<string, ContractOperation>,
  source: YamlSource,
): ContractLimits {
  const fail = (pointer: string, reason: string): never => {
    throw new HarnessError('KVSC_SPEC_LIMIT_MISSING', reason, { location: source.locate(pointer) });
  };
  const payloadLimits = RECORD_WRITE_OPERATIONS.map((id) => {
    const value = operations.get(id)?.extensions['x-kvs-max-payload-bytes'];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
      return fail(
        '/paths',
        `${id} needs x-kvs-max-payload-bytes, a positive integer (got ${JSON.stringify(value)})`,
      );
    }
    return value;
  });
  if (new Set(payloadLimits).size !== 1) {
    fail(
      '/paths',
      `x-kvs-max-payload-bytes differs between ${RECORD_WRITE_OPERATIONS.join(' and ')}: ${payloadLimits.join(' vs ')}`,
    );
  }
  const limitMaximum = (operationId: string): number => {
    const limit = operations.get(operationId)?.parameters.find((p) => p.name === 'limit' && p.in === 'query');
    const maximum = limit?.schema.maximum;
    return typeof maximum === 'number'
      ? maximum
      : fail('/paths', `${operationId} needs a query parameter limit with a maximum`);
  };
  const schema = (name: string): OpenAPIV3.SchemaObject => {
    const found = document.components?.schemas?.[name] as OpenAPIV3.SchemaObject | undefined;
    return found ?? fail('/components/schemas', `components/schemas/${name} is missing`);
  };
  const pattern = (name: string): RegExp => {
    const text = schema(name).pattern;
    return typeof text === 'string'
      ? new RegExp(text, 'u')
      : fail(`/components/schemas/${name}`, `${name} needs a pattern`);
  };
  const maxLength = (name: string): number => {
    const value = schema(name).maxLength;
    return typeof value === 'number'
      ? value
      : fail(`/components/schemas/${name}`, `${name} needs a maxLength`);
  };
  return {
    maxPayloadBytes: payloadLimits[0] ?? 0,
    storeListMaxLimit: limitMaximum('keyValueStores_get'),
    keysMaxLimit: limitMaximum('keyValueStore_keys_get'),
    recordKeyPattern: pattern('RecordKey'),
    recordKeyMaxLength: maxLength('RecordKey'),
    storeNamePattern: pattern('StoreName'),
    storeNameMaxLength: maxLength('StoreName'),
    storeIdPattern: pattern('StoreId'),
  };
}
