// Fault modes whose target rules are in KVS-RECORD (record values, keys, encodings, store metadata).
import { unzipSync, zipSync } from 'fflate';
import {
  bare,
  errorAnswer,
  isKeys,
  isRecord,
  isRecords,
  isRecordWrite,
  isStore,
  json,
  keysPage,
  ok,
  query,
  recordKeyOf,
  storeSegment,
} from './fault-helpers.ts';
import type { ProxiedRequest } from './fault-proxy.ts';
import type { FaultMode } from './fault-mode.ts';

const SUPPORTED_ENCODINGS = ['gzip', 'br', 'deflate', 'identity'];
const withoutEncoding = (request: ProxiedRequest): ProxiedRequest => ({
  ...request,
  headers: Object.fromEntries(
    Object.entries(request.headers).filter(([name]) => name !== 'content-encoding'),
  ),
});

/** RECORD faults. */
export const RECORD_FAULTS: readonly FaultMode[] = [
  {
    name: 'record-content-type-lost',
    targets: ['KVS-RECORD-001'],
    bug: 'records are served as application/octet-stream whatever they were written as',
    fault: () => (answer) =>
      isRecord(answer.path) && answer.method === 'GET' && ok(answer)
        ? { ...answer, headers: { ...answer.headers, 'content-type': 'application/octet-stream' } }
        : answer,
  },
  {
    name: 'record-high-bytes-mangled',
    targets: ['KVS-RECORD-001'],
    bug: 'uploads are read as UTF-8 text before storing: bodies with a byte ≥ 0x80 that is not valid UTF-8 come back changed',
    narrow: true,
    fault: () => ({
      request: (request, forward) =>
        isRecordWrite(request) && !request.headers['content-encoding']
          ? forward({ ...request, body: Buffer.from(request.body.toString('utf8')) })
          : forward(request),
    }),
  },
  {
    name: 'record-new-key-answers-200',
    targets: ['KVS-RECORD-002'],
    bug: 'writing a new key answers 200 (the upsert reports "updated" for every write)',
    fault: () => (answer) =>
      isRecordWrite(answer) && answer.status === 201 ? { ...answer, status: 200 } : answer,
  },
  {
    name: 'record-new-key-answers-array',
    // The generic body check (KVS-SCHEMA-002) sees the array on the same call.
    targets: ['KVS-RECORD-002', 'KVS-SCHEMA-002'],
    bug: 'writing a record answers the JSON array [] instead of an object',
    fault: () => (answer) =>
      isRecordWrite(answer) && answer.status === 201 ? { ...answer, body: Buffer.from('[]') } : answer,
  },
  {
    name: 'record-overwrite-200',
    targets: ['KVS-RECORD-003'],
    bug: 'an overwrite answers 200 where the profile (platform docs) says 201',
    fault: () => ({
      request: async (request, forward) => {
        if (!isRecord(request.path) || request.method !== 'PUT') return forward(request);
        const existed = (await forward({ ...request, method: 'HEAD', body: Buffer.alloc(0) })).status === 200;
        const answer = await forward(request);
        return existed && answer.status === 201 ? { ...answer, status: 200 } : answer;
      },
    }),
  },
  {
    name: 'record-post-not-routed',
    targets: ['KVS-RECORD-004'],
    bug: 'POST record is not routed (405): the alias was forgotten',
    fault: () => ({
      request: (request, forward) =>
        isRecord(request.path) && request.method === 'POST'
          ? Promise.resolve(errorAnswer(405, 'method-not-allowed', request.method, request.path))
          : forward(request),
    }),
  },
  {
    name: 'record-post-keeps-existing',
    targets: ['KVS-RECORD-004'],
    bug: 'POST record is implemented as create-if-absent: on an existing key it answers 201 and keeps the old value',
    narrow: true,
    fault: () => ({
      request: async (request, forward) => {
        if (!isRecord(request.path) || request.method !== 'POST') return forward(request);
        const existing = await forward({ ...request, method: 'HEAD', body: Buffer.alloc(0) });
        if (existing.status !== 200) return forward(request);
        return json(201, {}, request.method, request.path, {
          location: `http://127.0.0.1${bare(request.path)}`,
        });
      },
    }),
  },
  {
    name: 'record-deflate-stored-encoded',
    targets: ['KVS-RECORD-005'],
    bug: 'only gzip and br bodies are decoded: a deflate body is stored as sent',
    narrow: true,
    fault: () => ({
      request: (request, forward) =>
        isRecordWrite(request) && request.headers['content-encoding'] === 'deflate'
          ? forward(withoutEncoding(request))
          : forward(request),
    }),
  },
  {
    name: 'record-br-refused',
    targets: ['KVS-RECORD-005'],
    bug: 'the server has no Brotli decoder (a standard library without one): every br body is refused with 415',
    fault: () => ({
      request: (request, forward) =>
        isRecordWrite(request) && request.headers['content-encoding'] === 'br'
          ? Promise.resolve(
              errorAnswer(
                415,
                'unsupported-content-encoding',
                request.method,
                request.path,
                'br is not supported',
              ),
            )
          : forward(request),
    }),
  },
  {
    name: 'record-any-accept-encoding-is-all',
    targets: ['KVS-RECORD-005'],
    bug: 'GET record reads any Accept-Encoding header as accepting every coding: a reader asking for identity gets the stored gzip bytes',
    fault: () => ({
      request: (request, forward) =>
        request.method === 'GET' && isRecord(request.path) && request.headers['accept-encoding'] !== undefined
          ? forward({ ...request, headers: { ...request.headers, 'accept-encoding': 'gzip, deflate, br' } })
          : forward(request),
    }),
  },
  {
    name: 'record-unknown-encoding-stored',
    targets: ['KVS-RECORD-006'],
    bug: 'an unknown Content-Encoding is ignored: the body is stored as sent with 201',
    fault: () => ({
      request: (request, forward) => {
        const encoding = request.headers['content-encoding'];
        return isRecordWrite(request) && encoding && !SUPPORTED_ENCODINGS.includes(encoding)
          ? forward(withoutEncoding(request))
          : forward(request);
      },
    }),
  },
  {
    name: 'record-key-parens-refused',
    targets: ['KVS-RECORD-007'],
    bug: 'the key pattern forgets ( and ): valid keys holding them are refused with 400',
    narrow: true,
    fault: () => ({
      request: (request, forward) =>
        isRecord(request.path) && /[()]/.test(recordKeyOf(request.path))
          ? Promise.resolve(errorAnswer(400, 'invalid-record-key', request.method, request.path))
          : forward(request),
    }),
  },
  {
    name: 'record-invalid-key-accepted',
    targets: ['KVS-RECORD-008'],
    bug: 'record keys are not validated: invalid keys answer 201',
    fault: () => (answer) =>
      isRecordWrite(answer) && answer.status === 400 && answer.body.toString().includes('invalid-record-key')
        ? json(201, {}, answer.method, answer.path, { location: `http://127.0.0.1${bare(answer.path)}` })
        : answer,
  },
  {
    name: 'record-long-key-accepted',
    targets: ['KVS-RECORD-008'],
    bug: 'the key length check is off: keys over 256 characters of valid characters are accepted (and stored)',
    narrow: true,
    fault: () => ({
      request: async (request, forward) => {
        const key = recordKeyOf(request.path);
        if (!isRecordWrite(request) || key.length <= 256 || !/^[a-zA-Z0-9!\-_.'()]+$/.test(key))
          return forward(request);
        return json(201, {}, request.method, request.path, {
          location: `http://127.0.0.1${bare(request.path)}`,
        });
      },
    }),
  },
  {
    name: 'record-delete-stays-listed',
    targets: ['KVS-RECORD-009'],
    bug: 'a delete removes the value but not the index entry: the key stays in listings',
    fault: () => {
      const deleted = new Map<string, Set<string>>();
      return {
        request: async (request, forward) => {
          const store = storeSegment(request.path);
          const answer = await forward(request);
          if (request.method === 'DELETE' && isRecord(request.path) && answer.status === 204)
            deleted.set(store, (deleted.get(store) ?? new Set()).add(recordKeyOf(request.path)));
          if (isRecordWrite(request)) deleted.get(store)?.delete(recordKeyOf(request.path));
          const ghosts = [...(deleted.get(store) ?? [])];
          if (!isKeys(request.path) || ghosts.length === 0 || query(request.path).has('exclusiveStartKey'))
            return answer;
          return keysPage(answer, (data) => {
            const items = [...data.items, ...ghosts.map((key) => ({ key, size: 0 }))].sort((a, b) =>
              Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)),
            );
            return { ...data, items, count: items.length };
          });
        },
      };
    },
  },
  {
    name: 'record-head-empty-404',
    targets: ['KVS-RECORD-010'],
    bug: 'HEAD decides existence by the value length: a record with an empty value answers 404',
    narrow: true,
    fault: () => ({
      request: async (request, forward) => {
        if (request.method !== 'HEAD' || !isRecord(request.path)) return forward(request);
        const read = await forward({ ...request, method: 'GET' });
        return read.status === 200 && read.body.length === 0
          ? { ...read, method: 'HEAD', status: 404, body: Buffer.alloc(0) }
          : forward(request);
      },
    }),
  },
  {
    name: 'record-zip-dotted-keys-missing',
    targets: ['KVS-RECORD-011'],
    bug: 'the zip writer skips keys with a "." (it treats them as file extensions of other entries)',
    narrow: true,
    fault: () => (answer) => {
      if (answer.method !== 'GET' || !isRecords(answer.path) || !ok(answer)) return answer;
      const entries = Object.entries(unzipSync(answer.body)).filter(([name]) => !name.includes('.'));
      return { ...answer, body: Buffer.from(zipSync(Object.fromEntries(entries))) };
    },
  },
  {
    name: 'record-attachment-ignored',
    targets: ['KVS-RECORD-012'],
    bug: 'attachment=1 is ignored: no Content-Disposition',
    fault: () => (answer) =>
      answer.method === 'GET' && isRecord(answer.path) && ok(answer)
        ? {
            ...answer,
            headers: Object.fromEntries(
              Object.entries(answer.headers).filter(([name]) => name !== 'content-disposition'),
            ),
          }
        : answer,
  },
  {
    name: 'record-general-access-value-dropped',
    targets: ['KVS-RECORD-013'],
    bug: 'the update handler knows only two generalAccess values: ANYONE_WITH_ID_CAN_READ is silently dropped',
    narrow: true,
    fault: () => ({
      request: (request, forward) => {
        if (request.method !== 'PUT' || !isStore(request.path)) return forward(request);
        const body = JSON.parse(request.body.toString() || '{}') as Record<string, unknown>;
        if (body.generalAccess !== 'ANYONE_WITH_ID_CAN_READ') return forward(request);
        delete body.generalAccess;
        return forward({ ...request, body: Buffer.from(JSON.stringify(body)) });
      },
    }),
  },
  {
    name: 'record-compressed-type-lost',
    targets: ['KVS-RECORD-014'],
    bug: 'the decompression path forgets the Content-Type: records uploaded compressed are stored as application/octet-stream',
    narrow: true,
    fault: () => ({
      request: (request, forward) =>
        isRecordWrite(request) && ['gzip', 'br'].includes(request.headers['content-encoding'] ?? '')
          ? forward({
              ...request,
              headers: { ...request.headers, 'content-type': 'application/octet-stream' },
            })
          : forward(request),
    }),
  },
];
