import { describe, expect, it } from 'vitest';
import type { OpenAPIV3 } from 'openapi-types';
import { describeViolations, loadContract, type BodyCheck } from '../../harness/index.ts';

const contract = await loadContract();

/** Every documented JSON example: operation, status, media type, example value. */
function documentedExamples(): [string, number, string, unknown][] {
  const found: [string, number, string, unknown][] = [];
  for (const [path, item] of Object.entries(contract.document.paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'head'] as const) {
      const operation = item?.[method];
      // An alias operation is its store-scoped operation at another path: the same examples.
      if (!operation?.operationId || contract.aliases.has(operation.operationId)) continue;
      for (const [status, response] of Object.entries(operation.responses)) {
        for (const [mediaType, media] of Object.entries(
          (response as OpenAPIV3.ResponseObject).content ?? {},
        )) {
          if (!mediaType.includes('json')) continue;
          if (media.example !== undefined)
            found.push([operation.operationId, Number(status), mediaType, media.example]);
          for (const example of Object.values(media.examples ?? {})) {
            found.push([
              operation.operationId,
              Number(status),
              mediaType,
              (example as OpenAPIV3.ExampleObject).value,
            ]);
          }
        }
      }
      void path;
    }
  }
  return found;
}

function expectInvalid(check: BodyCheck, instancePath: string, keyword: string): void {
  expect(check.outcome).toBe('invalid');
  if (check.outcome !== 'invalid') return;
  const message = describeViolations(check.violations);
  expect(message).toContain(`body${instancePath} `);
  expect(message).toContain(`/${keyword}`);
}

const store = {
  id: 'WkzbQMuFYuamGv3YF',
  name: 'my-store',
  createdAt: '2019-12-12T07:34:14.202Z',
  modifiedAt: '2019-12-13T08:36:13.202Z',
  accessedAt: '2019-12-14T08:36:13.202Z',
  generalAccess: 'RESTRICTED',
};

describe('compiled response validators', () => {
  const examples = documentedExamples();

  it('find documented examples to check (store, lists, keys, every error response)', () => {
    expect(examples.length).toBeGreaterThanOrEqual(40);
  });

  it.each(examples)(
    'accept the documented example of %s %i (%s)',
    (operationId, status, mediaType, example) => {
      expect(contract.checkBody(operationId, status, mediaType, example)).toEqual({ outcome: 'valid' });
    },
  );

  it('reject a store without a required field, naming the ajv path', () => {
    const { createdAt, ...withoutCreatedAt } = store;
    expect(createdAt).toBeDefined();
    expectInvalid(
      contract.checkBody('keyValueStore_get', 200, 'application/json', { data: withoutCreatedAt }),
      '/data',
      'required',
    );
  });

  it('reject a field of the wrong type', () => {
    const page = {
      items: [],
      count: '0',
      limit: 10,
      isTruncated: false,
      exclusiveStartKey: null,
      nextExclusiveStartKey: null,
    };
    expectInvalid(
      contract.checkBody('keyValueStore_keys_get', 200, 'application/json', { data: page }),
      '/data/count',
      'type',
    );
  });

  it('reject an unknown enum value', () => {
    const body = { data: { ...store, generalAccess: 'EVERYONE' } };
    expectInvalid(
      contract.checkBody('keyValueStore_put', 200, 'application/json', body),
      '/data/generalAccess',
      'enum',
    );
  });

  it('accept a 404 with any error type in the envelope (notFoundErrorType decides in the suites)', () => {
    const body = { error: { type: 'page-not-found', message: 'not here' } };
    expect(contract.checkBody('keyValueStore_record_get', 404, 'application/json', body).outcome).toBe(
      'valid',
    );
  });

  it('reject an error body without error.type', () => {
    expectInvalid(
      contract.checkBody('keyValueStores_post', 400, 'application/json', { error: { message: 'x' } }),
      '/error',
      'required',
    );
  });

  it('reject a malformed date-time and an id that cannot be a path segment, accept a UUID id', () => {
    expectInvalid(
      contract.checkBody('keyValueStore_get', 200, 'application/json', {
        data: { ...store, createdAt: 'yesterday' },
      }),
      '/data/createdAt',
      'format',
    );
    expectInvalid(
      contract.checkBody('keyValueStore_get', 200, 'application/json', { data: { ...store, id: '..' } }),
      '/data/id',
      'pattern',
    );
    const uuid = { ...store, id: '0b3c1f7e-5a2d-4c8e-9f10-2b6d8e4a7c11' };
    expect(contract.checkBody('keyValueStore_get', 200, 'application/json', { data: uuid }).outcome).toBe(
      'valid',
    );
  });

  it('accept a null nextExclusiveStartKey on the last page and reject a missing count', () => {
    const last = {
      items: [{ key: 'a', size: 1 }],
      count: 1,
      limit: 1000,
      isTruncated: false,
      exclusiveStartKey: null,
      nextExclusiveStartKey: null,
    };
    expect(
      contract.checkBody('keyValueStore_keys_get', 200, 'application/json', { data: last }).outcome,
    ).toBe('valid');
    const { count, ...withoutCount } = last;
    expect(count).toBe(1);
    expectInvalid(
      contract.checkBody('keyValueStore_keys_get', 200, 'application/json', { data: withoutCount }),
      '/data',
      'required',
    );
  });

  it('say when a status or media type is not documented, and leave opaque bodies unchecked', () => {
    expect(contract.checkBody('keyValueStore_get', 418, 'application/json', {}).outcome).toBe('undocumented');
    expect(contract.checkBody('keyValueStore_get', 200, 'text/html', '<p>').outcome).toBe('undocumented');
    expect(contract.checkBody('keyValueStore_record_get', 200, 'image/png', 'bytes').outcome).toBe(
      'unchecked',
    );
    expect(contract.checkBody('keyValueStore_delete', 204, '', undefined).outcome).toBe('unchecked');
  });
});
