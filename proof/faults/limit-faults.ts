// Fault modes whose target rules are in KVS-LIMIT (the record payload limit).
import { gunzipSync } from 'node:zlib';
import { errorAnswer, isRecordWrite, PAYLOAD_LIMIT } from './fault-helpers.ts';
import type { ProxiedRequest } from './fault-proxy.ts';
import type { FaultMode } from './fault-mode.ts';
import type { RawHead } from './raw-front.ts';

const tooLarge = (request: ProxiedRequest) =>
  errorAnswer(413, 'request-too-large', request.method, request.path, 'The request body is too large');

/** An over-limit record write, judged from its head's Content-Length (the body unread). */
const overLimitHead = (head: RawHead): boolean =>
  isRecordWrite(head) && Number(head.headers['content-length'] ?? 0) > PAYLOAD_LIMIT;

/** LIMIT faults. */
export const LIMIT_FAULTS: readonly FaultMode[] = [
  {
    name: 'limit-off-by-one',
    targets: ['KVS-LIMIT-001'],
    bug: 'the payload check uses >= instead of >: a body of exactly the limit is refused (one byte less passes)',
    narrow: true,
    fault: () => ({
      request: (request, forward) =>
        isRecordWrite(request) && request.body.length === PAYLOAD_LIMIT
          ? Promise.resolve(tooLarge(request))
          : forward(request),
    }),
  },
  {
    name: 'limit-413-generic-type',
    targets: ['KVS-LIMIT-002'],
    bug: 'an oversized body is refused with 413 of type payload-too-large (a failure under payloadTooLargeErrorType request-too-large: the apify profile)',
    runFlags: ['--profile', 'apify'],
    fault: () => ({
      request: (request, forward) =>
        isRecordWrite(request) && request.body.length > PAYLOAD_LIMIT
          ? Promise.resolve(errorAnswer(413, 'payload-too-large', request.method, request.path))
          : forward(request),
    }),
  },
  {
    name: 'limit-truncates',
    targets: ['KVS-LIMIT-002'],
    bug: 'an oversized body is cut to the limit and stored instead of refused',
    fault: () => ({
      request: (request, forward) =>
        isRecordWrite(request) && request.body.length > PAYLOAD_LIMIT
          ? forward({ ...request, body: request.body.subarray(0, PAYLOAD_LIMIT) })
          : forward(request),
    }),
  },
  {
    name: 'limit-partial-record-kept',
    targets: ['KVS-LIMIT-003'],
    bug: 'an oversized body is streamed to storage and refused with 413 only at the end: the first limit bytes stay stored',
    fault: () => ({
      request: async (request, forward) => {
        if (!isRecordWrite(request) || request.body.length <= PAYLOAD_LIMIT) return forward(request);
        await forward({ ...request, body: request.body.subarray(0, PAYLOAD_LIMIT) });
        return tooLarge(request);
      },
    }),
  },
  {
    name: 'limit-partial-record-kept-eventual',
    targets: ['KVS-LIMIT-003'],
    bug: 'as limit-partial-record-kept, only when the key already holds a value, on an eventually consistent store: the truncated overwrite shows only once the replicas catch up',
    runFlags: ['--consistency', 'eventual', '--window', '2s'],
    server: { consistency: { mode: 'eventual', staleMs: 300 } },
    narrow: true,
    fault: () => ({
      request: async (request, forward) => {
        if (!isRecordWrite(request) || request.body.length <= PAYLOAD_LIMIT) return forward(request);
        const existing = await forward({ ...request, method: 'HEAD', body: Buffer.alloc(0) });
        if (existing.status !== 200) return tooLarge(request);
        await forward({ ...request, body: request.body.subarray(0, PAYLOAD_LIMIT) });
        return tooLarge(request);
      },
    }),
  },
  {
    name: 'limit-counts-decoded',
    targets: ['KVS-LIMIT-004'],
    bug: 'the limit is applied to the decompressed body where the profile (payloadLimitCounts=encoded) counts the bytes sent',
    fault: () => ({
      request: (request, forward) => {
        if (!isRecordWrite(request) || request.headers['content-encoding'] !== 'gzip')
          return forward(request);
        let decoded: number;
        try {
          decoded = gunzipSync(request.body).length;
        } catch {
          return forward(request);
        }
        return decoded > PAYLOAD_LIMIT ? Promise.resolve(tooLarge(request)) : forward(request);
      },
    }),
  },
  {
    name: 'limit-no-answer',
    targets: ['KVS-LIMIT-002'],
    bug: 'an over-limit body is never answered: the server reads its head and some of the body, then closes the connection without a response',
    front: () => (head) =>
      Promise.resolve(overLimitHead(head) ? { status: 413, body: null, then: 'no-answer' } : undefined),
  },
  {
    name: 'limit-413-after-storing',
    targets: ['KVS-LIMIT-003'],
    bug: 'an over-limit body is stored whole, and only then answered 413 (the limit checked after the write)',
    server: { maxRecordBytes: Number.MAX_SAFE_INTEGER },
    fault: () => ({
      request: async (request, forward) => {
        if (!isRecordWrite(request) || request.body.length <= PAYLOAD_LIMIT) return forward(request);
        await forward(request);
        return tooLarge(request);
      },
    }),
  },
  {
    name: 'limit-skips-compressed',
    targets: ['KVS-LIMIT-004'],
    bug: 'the limit check is skipped for a body with a Content-Encoding: a gzip body over the limit as sent and decoded is stored (caught under payloadLimitCounts=either, on the case both readings agree on)',
    runFlags: ['--payload-limit-counts', 'either'],
    server: { maxRecordBytes: Number.MAX_SAFE_INTEGER },
    fault: () => ({
      request: (request, forward) =>
        isRecordWrite(request) &&
        request.headers['content-encoding'] === undefined &&
        request.body.length > PAYLOAD_LIMIT
          ? Promise.resolve(tooLarge(request))
          : forward(request),
    }),
  },
];
