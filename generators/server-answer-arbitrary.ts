import fc from 'fast-check';
import type { OpenAPIV3 } from 'openapi-types';
import type { Contract, KeysPage } from '../harness/index.ts';
import { keySetArbitrary } from './key-set-arbitrary.ts';

/** One documented error answer of an operation: its status and the error type of its envelope. */
export interface ErrorAnswer {
  readonly status: number;
  readonly type: string;
  readonly message: string;
}

const utf8Order = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** The JSON example of a response, in the dereferenced document. */
function exampleOf(
  response: OpenAPIV3.ResponseObject | undefined,
): { error?: { type?: unknown } } | undefined {
  return response?.content?.['application/json']?.example as { error?: { type?: unknown } } | undefined;
}

/** The not-found types of the contract (`NotFoundErrorType`): the only 404s a client reads as a miss. */
export function notFoundErrorTypes(contract: Contract): string[] {
  const schema = contract.document.components?.schemas?.NotFoundErrorType as
    OpenAPIV3.SchemaObject | undefined;
  return (schema?.enum ?? []) as string[];
}

/**
 * The error answers an operation documents (status ≥ 400, with the type of the documented example),
 * so the client-side checks serve exactly what the contract says a server may answer.
 */
export function documentedErrorAnswers(contract: Contract, operationId: string): ErrorAnswer[] {
  const operation = contract.operation(operationId);
  const documented = (contract.document.paths[operation.path] as Record<string, OpenAPIV3.OperationObject>)[
    operation.method.toLowerCase()
  ];
  return Object.entries(documented?.responses ?? {})
    .filter(([status]) => Number(status) >= 400)
    .map(([status, response]) => {
      const type = exampleOf(response as OpenAPIV3.ResponseObject)?.error?.type;
      return {
        status: Number(status),
        type: typeof type === 'string' ? type : 'unknown-error',
        message: `documented ${status}`,
      };
    });
}

/**
 * Error answers of an operation other than a not-found miss: the documented ones, a 404 with a type
 * that is not a not-found type, and 5xx answers with edge-case types (the envelope allows any).
 */
export function errorAnswerArbitrary(contract: Contract, operationId: string): fc.Arbitrary<ErrorAnswer> {
  const notFound = new Set(notFoundErrorTypes(contract));
  const documented = documentedErrorAnswers(contract, operationId).filter(
    (answer) => !(answer.status === 404 && notFound.has(answer.type)),
  );
  const other = fc.record({
    status: fc.constantFrom(404, 500, 502, 503),
    type: fc.stringMatching(/^[a-z][a-z0-9-]{0,30}$/).filter((type) => !notFound.has(type)),
    message: fc.string({ maxLength: 40 }),
  });
  return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...documented) }, { weight: 1, arbitrary: other });
}

/**
 * A valid sequence of key pages (the ListOfKeys schema under the KEYS rules): distinct keys in UTF-8
 * order split into pages of varying size; every page but the last is truncated and names its last
 * key as nextExclusiveStartKey; the last has null. Includes the empty store (one empty page).
 */
export function keyPagesArbitrary(contract: Contract, maxKeys = 40): fc.Arbitrary<KeysPage[]> {
  return fc
    .tuple(
      keySetArbitrary(contract.limits, maxKeys),
      fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 60 }),
    )
    .map(([keys, sizes]) => {
      const sorted = [...keys].sort(utf8Order);
      const pages: KeysPage[] = [];
      let start = 0;
      let cursor: string | null = null;
      do {
        const limit = sizes[pages.length % sizes.length] ?? 1;
        const items = sorted.slice(start, start + limit).map((key) => ({ key, size: key.length }));
        start += items.length;
        const isTruncated = start < sorted.length;
        const next: string | null = isTruncated ? (items.at(-1)?.key ?? null) : null;
        pages.push({
          items,
          count: items.length,
          limit,
          isTruncated,
          exclusiveStartKey: cursor,
          nextExclusiveStartKey: next,
        });
        cursor = next;
      } while (start < sorted.length);
      return pages;
    });
}
