// Fault modes whose target rules are in KVS-SCHEMA (every response matches the contract).
import {
  errorAnswer,
  getOf,
  isRecord,
  isRecordWrite,
  isStore,
  isStoreList,
  json,
  ok,
  storeAnswer,
} from './fault-helpers.ts';
import type { FaultMode } from './fault-mode.ts';

/** SCHEMA faults. */
export const SCHEMA_FAULTS: readonly FaultMode[] = [
  {
    name: 'schema-location-dropped',
    targets: ['KVS-SCHEMA-005'],
    bug: 'a proxy layer drops the Location header of every 201 (a failure only where Location is demanded: the apify profile)',
    runFlags: ['--profile', 'apify'],
    fault: () => (answer) =>
      answer.status === 201
        ? {
            ...answer,
            headers: Object.fromEntries(
              Object.entries(answer.headers).filter(([name]) => name !== 'location'),
            ),
          }
        : answer,
  },
  {
    name: 'schema-location-relative-without-v2',
    targets: ['KVS-SCHEMA-005'],
    bug: 'record writes answer a relative Location that leaves out the /v2 prefix, so it resolves to no record',
    fault: () => (answer) =>
      isRecordWrite(answer) && answer.status === 201 && answer.headers.location
        ? {
            ...answer,
            headers: {
              ...answer.headers,
              location: new URL(answer.headers.location).pathname.replace(/^\/v2/, ''),
            },
          }
        : answer,
  },
  {
    name: 'schema-record-write-body-data',
    targets: ['KVS-SCHEMA-002'],
    bug: 'record writes answer {"data":{}} instead of {} (a failure under recordWriteBody empty-object: the apify profile)',
    runFlags: ['--profile', 'apify'],
    fault: () => (answer) =>
      isRecordWrite(answer) && ok(answer)
        ? json(answer.status, { data: {} }, answer.method, answer.path, { ...answer.headers })
        : answer,
  },
  {
    name: 'schema-store-id-prefixed',
    targets: ['KVS-SCHEMA-002'],
    bug: 'GET store answers the id with a "kvs_" prefix, not the 17-character form (a failure under storeIdFormat apify)',
    runFlags: ['--profile', 'apify'],
    fault: () => (answer) =>
      answer.method === 'GET'
        ? storeAnswer(answer, (data) => ({ ...data, id: `kvs_${String(data.id)}` }))
        : answer,
  },
  {
    name: 'schema-location-wrong-resource',
    targets: ['KVS-SCHEMA-005'],
    bug: 'create store answers Location with the store-list URL, not the created store',
    fault: () => (answer) =>
      answer.method === 'POST' && isStoreList(answer.path) && answer.status === 201 && answer.headers.location
        ? {
            ...answer,
            headers: {
              ...answer.headers,
              location: new URL('/v2/key-value-stores', answer.headers.location).href,
            },
          }
        : answer,
  },
  {
    name: 'schema-store-json-as-text',
    targets: ['KVS-SCHEMA-003'],
    bug: 'GET store is served as text/plain',
    fault: () => (answer) =>
      answer.method === 'GET' && isStore(answer.path) && ok(answer)
        ? { ...answer, headers: { ...answer.headers, 'content-type': 'text/plain; charset=utf-8' } }
        : answer,
  },
  {
    name: 'schema-store-without-modifiedAt',
    targets: ['KVS-SCHEMA-002'],
    bug: 'store objects leave out the required modifiedAt',
    fault: () => (answer) => storeAnswer(answer, (data) => ({ ...data, modifiedAt: undefined })),
  },
  {
    name: 'schema-record-delete-200',
    targets: ['KVS-SCHEMA-001'],
    bug: 'DELETE record answers 200 (not a documented status) instead of 204',
    fault: () => (answer) =>
      answer.method === 'DELETE' && isRecord(answer.path) && answer.status === 204
        ? { ...answer, status: 200 }
        : answer,
  },
  {
    name: 'schema-error-empty-body',
    targets: ['KVS-SCHEMA-004'],
    bug: 'query validation errors of the store list answer 400 with an empty body and no Content-Type',
    fault: () => (answer) =>
      answer.method === 'GET' && isStoreList(answer.path) && answer.status === 400
        ? { ...answer, headers: {}, body: Buffer.alloc(0) }
        : answer,
  },
  {
    name: 'schema-error-plain-text',
    targets: ['KVS-SCHEMA-004'],
    bug: 'a 404 of GET store is a text/plain sentence, not the JSON error envelope',
    fault: () => (answer) =>
      answer.method === 'GET' && isStore(answer.path) && answer.status === 404
        ? { ...answer, headers: { 'content-type': 'text/plain' }, body: Buffer.from('Store not found') }
        : answer,
  },
  {
    name: 'schema-204-with-body',
    targets: ['KVS-SCHEMA-006'],
    bug: 'DELETE record writes `{}` after its 204 status line',
    fault: () => (answer) =>
      answer.method === 'DELETE' && isRecord(answer.path) && answer.status === 204
        ? { ...errorAnswer(204, 'none', answer.method, answer.path), body: Buffer.from('{}'), raw: true }
        : answer,
  },
  {
    name: 'schema-204-body-kept-alive',
    targets: ['KVS-SCHEMA-006'],
    bug: 'DELETE record writes `{}` after its 204 head, without a Content-Length, and keeps the connection (a handler that always writes its JSON result): a client that reads no content for 204 takes the bytes as the start of its next answer',
    fault: () => (answer) =>
      answer.method === 'DELETE' && isRecord(answer.path) && answer.status === 204
        ? { ...answer, body: Buffer.from('{}'), bodyWhereNone: true }
        : answer,
  },
  {
    name: 'schema-createdAt-rewritten',
    targets: ['KVS-SCHEMA-007'],
    bug: 'an update rewrites createdAt with the update time (the row is upserted whole)',
    fault: () => (answer) =>
      storeAnswer(answer, (data) =>
        data.modifiedAt !== data.createdAt ? { ...data, createdAt: data.modifiedAt } : data,
      ),
  },
  {
    name: 'schema-head-with-body',
    targets: ['KVS-SCHEMA-006'],
    bug: "HEAD of a record runs the GET handler and writes its body (the record, or the 404's error body) after the head, with that body's Content-Length, on a kept-alive connection (Python's BaseHTTPRequestHandler with do_HEAD = do_GET)",
    fault: () => ({
      request: async (request, forward) => {
        if (request.method !== 'HEAD' || !isRecord(request.path)) return forward(request);
        const got = await forward(getOf(request, request.path));
        return { ...got, method: 'HEAD', bodyWhereNone: true };
      },
    }),
  },
];
