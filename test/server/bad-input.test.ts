import { request as rawRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createStore, send, useServer } from './server-fixture.ts';

const server = await useServer();
const storeId = await createStore(server.url, 'bad-input');
const json = { 'content-type': 'application/json' };

type Case = [
  title: string,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string | Buffer },
  status: number,
  type: string,
];

const cases: Case[] = [
  [
    'malformed JSON when creating a store',
    'POST',
    '/v2/key-value-stores',
    { headers: json, body: '{"schema":' },
    400,
    'invalid-request',
  ],
  [
    'malformed JSON when updating a store',
    'PUT',
    `/v2/key-value-stores/${storeId}`,
    { headers: json, body: '{name:' },
    400,
    'invalid-request',
  ],
  [
    'a JSON array as store update',
    'PUT',
    `/v2/key-value-stores/${storeId}`,
    { headers: json, body: '[]' },
    400,
    'invalid-request',
  ],
  [
    'a number as store name',
    'PUT',
    `/v2/key-value-stores/${storeId}`,
    { headers: json, body: '{"name":5}' },
    400,
    'invalid-input',
  ],
  [
    'an unknown store field',
    'PUT',
    `/v2/key-value-stores/${storeId}`,
    { headers: json, body: '{"colour":"red"}' },
    400,
    'invalid-input',
  ],
  [
    'an unknown generalAccess',
    'PUT',
    `/v2/key-value-stores/${storeId}`,
    { headers: json, body: '{"generalAccess":"EVERYONE"}' },
    400,
    'invalid-input',
  ],
  ['a non-numeric list limit', 'GET', '/v2/key-value-stores?limit=abc', {}, 400, 'invalid-input'],
  ['a negative offset', 'GET', '/v2/key-value-stores?offset=-1', {}, 400, 'invalid-input'],
  ['a desc that is not a boolean', 'GET', '/v2/key-value-stores?desc=maybe', {}, 400, 'invalid-input'],
  ['an unknown ownership', 'GET', '/v2/key-value-stores?ownership=mine', {}, 400, 'invalid-input'],
  ['an unknown query parameter', 'GET', '/v2/key-value-stores?colour=red', {}, 400, 'invalid-input'],
  ['a repeated query parameter', 'GET', '/v2/key-value-stores?limit=1&limit=2', {}, 400, 'invalid-input'],
  ['a keys limit of 0', 'GET', `/v2/key-value-stores/${storeId}/keys?limit=0`, {}, 400, 'invalid-input'],
  [
    'a fractional keys limit',
    'GET',
    `/v2/key-value-stores/${storeId}/keys?limit=1.5`,
    {},
    400,
    'invalid-input',
  ],
  [
    'a collection on a store without a schema',
    'GET',
    `/v2/key-value-stores/${storeId}/keys?collection=x`,
    {},
    400,
    'invalid-collection',
  ],
  [
    'a record key with a space',
    'PUT',
    `/v2/key-value-stores/${storeId}/records/a%20b`,
    { body: 'x' },
    400,
    'invalid-record-key',
  ],
  [
    'a record key with a slash',
    'GET',
    `/v2/key-value-stores/${storeId}/records/a/b`,
    {},
    400,
    'invalid-record-key',
  ],
  [
    'a record key with a star',
    'DELETE',
    `/v2/key-value-stores/${storeId}/records/a*b`,
    {},
    400,
    'invalid-record-key',
  ],
  [
    'a 257-character record key',
    'PUT',
    `/v2/key-value-stores/${storeId}/records/${'k'.repeat(257)}`,
    { body: 'x' },
    400,
    'invalid-record-key',
  ],
  [
    'a non-ASCII record key',
    'PUT',
    `/v2/key-value-stores/${storeId}/records/%C3%A9`,
    { body: 'x' },
    400,
    'invalid-record-key',
  ],
  ['a store name starting with a hyphen', 'POST', '/v2/key-value-stores?name=-bad', {}, 400, 'invalid-input'],
  [
    'a store name with an underscore',
    'POST',
    '/v2/key-value-stores?name=under_score',
    {},
    400,
    'invalid-input',
  ],
  [
    'a 64-character store name',
    'POST',
    `/v2/key-value-stores?name=${'n'.repeat(64)}`,
    {},
    400,
    'invalid-input',
  ],
  [
    'malformed percent-encoding',
    'GET',
    `/v2/key-value-stores/${storeId}/records/%E0%A4%A`,
    {},
    400,
    'invalid-input',
  ],
  [
    'an unsupported Content-Encoding',
    'PUT',
    `/v2/key-value-stores/${storeId}/records/k`,
    { headers: { 'content-encoding': 'bla' }, body: 'x' },
    415,
    'unsupported-content-encoding',
  ],
  [
    'gzip that is not gzip',
    'PUT',
    `/v2/key-value-stores/${storeId}/records/k`,
    { headers: { 'content-encoding': 'gzip' }, body: 'plain' },
    400,
    'invalid-input',
  ],
  ['a path outside the API', 'GET', '/v2/datasets', {}, 404, 'page-not-found'],
  [
    'a method the path does not take',
    'PATCH',
    `/v2/key-value-stores/${storeId}`,
    { headers: json, body: '{}' },
    405,
    'method-not-allowed',
  ],
  ['DELETE on the store collection', 'DELETE', '/v2/key-value-stores', {}, 405, 'method-not-allowed'],
  [
    'a malformed Authorization header',
    'GET',
    '/v2/key-value-stores',
    { headers: { authorization: 'Basic abc' } },
    200,
    '',
  ],
];

describe('bad input gets a 4xx with a clear error body, never a 5xx', () => {
  it.each(cases)('%s', async (_title, method, path, options, status, type) => {
    const response = await send(server.url, method, path, options);
    expect(response.status).toBe(status);
    if (type === '') return;
    const body = response.json() as { error: { type: string; message: string } };
    expect(body.error.type).toBe(type);
    expect(body.error.message.length).toBeGreaterThan(10);
  });

  it('a 405 names the allowed methods in Allow', async () => {
    const response = await send(server.url, 'PATCH', `/v2/key-value-stores/${storeId}/keys`);
    expect(response.headers.allow).toBe('GET');
  });

  it('huge headers get 431 and the server keeps serving', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = rawRequest(
        `${server.url}/v2/key-value-stores`,
        { headers: { 'x-huge': 'h'.repeat(64 * 1024) } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(431);
    expect((await send(server.url, 'GET', '/v2/key-value-stores')).status).toBe(200);
  });

  it('a refused write changes nothing: the previous value stays', async () => {
    await send(server.url, 'PUT', `/v2/key-value-stores/${storeId}/records/keep`, { body: 'kept' });
    await send(server.url, 'PUT', `/v2/key-value-stores/${storeId}/records/keep`, {
      headers: { 'content-encoding': 'gzip' },
      body: gzipSync('x').subarray(0, 5),
    });
    expect(
      (await send(server.url, 'GET', `/v2/key-value-stores/${storeId}/records/keep`)).body.toString(),
    ).toBe('kept');
  });
});
