import type { ValidateFunction } from 'ajv';
import type { OpenAPIV3 } from 'openapi-types';
import { HarnessError } from '../errors.ts';
import { toPointer, type YamlSource } from './yaml-source.ts';

/** The HTTP methods an OpenAPI path item can hold, upper-case. */
export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'DELETE' | 'OPTIONS' | 'HEAD' | 'PATCH' | 'TRACE';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** A documented response of one operation. */
export interface ContractResponse {
  readonly status: number;
  /** Header names (lower-case) the response must carry. */
  readonly requiredHeaders: readonly string[];
  /**
   * Documented media types with their compiled body validator; `null` where the body is opaque
   * (binary, any media type). An empty map means the response has no body.
   */
  readonly media: ReadonlyMap<string, ValidateFunction | null>;
}

/** A documented request parameter. */
export interface ContractParameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header' | 'cookie';
  readonly required: boolean;
  readonly schema: OpenAPIV3.SchemaObject;
}

/** One operation of the contract, with its responses compiled. */
export interface ContractOperation {
  readonly id: string;
  readonly method: HttpMethod;
  /** The path template, e.g. `/v2/key-value-stores/{storeId}`. */
  readonly path: string;
  readonly parameters: readonly ContractParameter[];
  readonly responses: ReadonlyMap<number, ContractResponse>;
  /** The operation's vendor extensions (`x-…`), as written. */
  readonly extensions: Readonly<Record<string, unknown>>;
}

function compileResponse(
  status: number,
  response: OpenAPIV3.ResponseObject,
  compile: (schema: object) => ValidateFunction,
): ContractResponse {
  const requiredHeaders = Object.entries(response.headers ?? {})
    .filter(([, header]) => (header as OpenAPIV3.HeaderObject).required === true)
    .map(([name]) => name.toLowerCase());
  const media = new Map<string, ValidateFunction | null>();
  for (const [mediaType, content] of Object.entries(response.content ?? {})) {
    const schema = content.schema as OpenAPIV3.SchemaObject | undefined;
    const opaque = !schema || schema.format === 'binary' || !mediaType.includes('json');
    media.set(mediaType, opaque ? null : compile(schema));
  }
  return { status, requiredHeaders, media };
}

/**
 * Indexes every operation of a dereferenced document by operationId and compiles one validator per
 * operation × status × media type. Runs once per contract.
 */
export function indexOperations(
  document: OpenAPIV3.Document,
  source: YamlSource,
  compile: (schema: object) => ValidateFunction,
): Map<string, ContractOperation> {
  const operations = new Map<string, ContractOperation>();
  for (const [path, pathItem] of Object.entries(document.paths)) {
    if (!pathItem) continue;
    for (const method of METHODS) {
      const operation = pathItem[method];
      if (!operation) continue;
      const pointer = toPointer(['paths', path, method]);
      if (!operation.operationId) {
        throw new HarnessError('KVSC_SPEC_INVALID', 'the operation has no operationId', {
          location: source.locate(pointer),
          hint: 'every operation needs a unique operationId; rules cite operations by it',
        });
      }
      const parameters = [...(pathItem.parameters ?? []), ...(operation.parameters ?? [])].map(
        (parameter) => {
          const p = parameter as OpenAPIV3.ParameterObject;
          return {
            name: p.name,
            in: p.in as ContractParameter['in'],
            required: p.required === true,
            schema: (p.schema ?? {}) as OpenAPIV3.SchemaObject,
          };
        },
      );
      const responses = new Map<number, ContractResponse>();
      for (const [status, response] of Object.entries(operation.responses)) {
        const code = Number(status);
        if (!Number.isInteger(code)) {
          throw new HarnessError('KVSC_SPEC_INVALID', `response key "${status}" is not a status code`, {
            location: source.locate(toPointer(['paths', path, method, 'responses', status])),
            hint: 'the contract documents exact status codes only (no "default", no "4XX")',
          });
        }
        responses.set(code, compileResponse(code, response as OpenAPIV3.ResponseObject, compile));
      }
      const extensions = Object.fromEntries(
        Object.entries(operation).filter(([key]) => key.startsWith('x-')),
      );
      operations.set(operation.operationId, {
        id: operation.operationId,
        method: method.toUpperCase() as HttpMethod,
        path,
        parameters,
        responses,
        extensions,
      });
    }
  }
  return operations;
}

/**
 * How a message names an operation: the HTTP method and path template first, as a server author
 * thinks of it, the operationId after (`GET /v2/key-value-stores/{storeId} (keyValueStore_get)`).
 */
export function operationLabel(operation: Pick<ContractOperation, 'id' | 'method' | 'path'>): string {
  return `${operation.method} ${operation.path} (${operation.id})`;
}
