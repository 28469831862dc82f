import { pipeline } from 'node:stream/promises';
import { ApiError, notFound } from '../api-error.ts';
import { requireOwner } from '../caller-auth.ts';
import { sendEmpty, sendJson } from '../http-response.ts';
import { QueryParams } from '../query-params.ts';
import { RECORD_KEY_PATTERN } from '../record-key.ts';
import { decodedStream, readBody } from '../request-body.ts';
import {
  applyStoreChange,
  changeStoreNow,
  requireReadAccess,
  resolveStore,
  signatureRefused,
  storeUrl,
  updateStoreMeta,
  type KvsRequest,
} from '../server-context.ts';
import type { StoreMeta, StoredEncoding, StoredRecord } from '../storage/storage-backend.ts';
import { isValidRecordSignature } from '../url-signing.ts';

/** The media type stored when a write names none. */
const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

function checkRecordKey(key: string): void {
  if (!RECORD_KEY_PATTERN.test(key)) {
    throw new ApiError(
      400,
      'invalid-record-key',
      `Record key "${key.slice(0, 300)}" is not allowed; allowed: 1 to 256 characters of a-z, A-Z, 0-9 and !-_.'()`,
    );
  }
}

/** Whether an Accept-Encoding header accepts the encoding (with a q-value above 0). */
function accepts(header: string | undefined, encoding: StoredEncoding): boolean {
  return (header ?? '').split(',').some((part) => {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((param) => param.trim()).find((param) => param.startsWith('q='));
    return (name === encoding || name === '*') && (q === undefined || Number(q.slice(2)) > 0);
  });
}

/** Owner, a valid signature over the record key, or a store readable by anyone. */
function checkRecordAccess(r: KvsRequest, meta: StoreMeta, signature: string | undefined): void {
  if (r.caller === 'owner' || signature === undefined) {
    requireReadAccess(r, meta);
    return;
  }
  if (!isValidRecordSignature(meta.urlSigningSecretKey, r.recordKey, signature)) {
    throw signatureRefused('it does not sign this record key with the store secret');
  }
}

/** Counts a record read and touches the store's access time (saved lazily). */
function noteRead(meta: StoreMeta): void {
  meta.stats.readCount += 1;
  meta.accessedAt.setTime(Date.now());
}

/** GET and HEAD /v2/key-value-stores/{storeId}/records/{recordKey} */
export function getRecord(r: KvsRequest): Promise<void> | undefined {
  const query = new QueryParams(r.query, ['attachment', 'signature']);
  const attachment = query.boolean('attachment', false);
  checkRecordKey(r.recordKey);
  const signature = query.string('signature');
  const { backend } = r.ctx;
  // A backend that holds everything in memory answers a read by id at once: no promise, no lock.
  if (backend.peekStore && backend.peekRecord && !r.storeId.includes('~')) {
    const meta = backend.peekStore(r.storeId);
    if (!meta) throw notFound('Store');
    checkRecordAccess(r, meta, signature);
    return answerRecord(r, meta.id, backend.peekRecord(meta.id, r.recordKey), attachment);
  }
  return readRecord(r, signature, attachment);
}

/** A record read through the backend's asynchronous methods. */
async function readRecord(r: KvsRequest, signature: string | undefined, attachment: boolean): Promise<void> {
  const meta = await resolveStore(r);
  checkRecordAccess(r, meta, signature);
  await answerRecord(r, meta.id, await r.ctx.backend.getRecord(meta.id, r.recordKey), attachment);
}

/** Answers with what the read sees of `stored` (the current record, undefined: none). */
function answerRecord(
  r: KvsRequest,
  storeId: string,
  stored: StoredRecord | undefined,
  attachment: boolean,
): Promise<void> | undefined {
  const record = r.ctx.consistency.read(storeId, r.recordKey, stored, r.req.socket);
  if (!record) {
    r.ctx.consistency.noteMiss(storeId, r.recordKey);
    throw notFound('Record');
  }
  if (r.req.method === 'HEAD') {
    const headers: Record<string, string> = { 'content-type': record.contentType };
    if (attachment) headers['content-disposition'] = `attachment; filename="${r.recordKey}"`;
    sendEmpty(r.res, 200, headers);
    return undefined;
  }
  if (changeStoreNow(r.ctx, storeId, noteRead)) return sendRecord(r, record, attachment);
  return updateStoreMeta(r.ctx, storeId, noteRead).then(() => sendRecord(r, record, attachment));
}

/** Sends the record's value: as stored, or decoded when the client does not accept its encoding. */
function sendRecord(r: KvsRequest, record: StoredRecord, attachment: boolean): Promise<void> | undefined {
  const headers: Record<string, string | number> = { 'content-type': record.contentType };
  if (attachment) headers['content-disposition'] = `attachment; filename="${r.recordKey}"`;
  if (record.encoding && !accepts(r.req.headers['accept-encoding'], record.encoding)) {
    // Decoded as a stream (no Content-Length): the server never holds a decoded record.
    r.res.writeHead(200, headers);
    return pipeline(decodedStream(record.value, record.encoding), r.res);
  }
  if (record.encoding) headers['content-encoding'] = record.encoding;
  headers['content-length'] = record.value.length;
  r.res.writeHead(200, headers);
  r.res.end(record.value);
  return undefined;
}

/** PUT and POST /v2/key-value-stores/{storeId}/records/{recordKey} — stores the body as uploaded. */
export async function putRecord(r: KvsRequest): Promise<void> {
  new QueryParams(r.query, []);
  requireOwner(r.caller);
  checkRecordKey(r.recordKey);
  const meta = await resolveStore(r);
  const { options, backend, consistency } = r.ctx;
  const { raw, encoding } = await readBody(r.req, {
    maxBytes: options.maxRecordBytes,
    counts: options.payloadLimitCounts,
  });
  const record: StoredRecord = {
    key: r.recordKey,
    contentType: r.req.headers['content-type'] ?? DEFAULT_CONTENT_TYPE,
    encoding,
    value: raw,
  };
  const stored = await r.ctx.storeLocks.run(meta.id, async () => {
    // One read of the metadata serves both the check that the store is still there and the
    // counter update: the store's lock is held, so nothing else changes it in between.
    const current = await backend.getStore(meta.id);
    if (!current) return false;
    if (consistency.eventual)
      consistency.beforeChange(
        meta.id,
        record.key,
        await backend.getRecord(meta.id, record.key),
        'write',
        r.req.socket,
      );
    const { previousSize } = await backend.putRecord(meta.id, record);
    current.stats.writeCount += 1;
    current.stats.storageBytes += raw.length - (previousSize ?? 0);
    current.modifiedAt = current.accessedAt = new Date();
    await backend.saveStore(current, false);
    return true;
  });
  if (!stored) throw notFound('Store');
  sendJson(r.res, 201, {}, { location: `${storeUrl(r.ctx, meta.id)}/records/${record.key}` });
}

/** DELETE /v2/key-value-stores/{storeId}/records/{recordKey} — 204, also for a key that is not there. */
export async function deleteRecord(r: KvsRequest): Promise<void> {
  new QueryParams(r.query, []);
  requireOwner(r.caller);
  checkRecordKey(r.recordKey);
  const meta = await resolveStore(r);
  const { backend, consistency } = r.ctx;
  await r.ctx.storeLocks.run(meta.id, async () => {
    if (consistency.eventual) {
      const current = await backend.getRecord(meta.id, r.recordKey);
      if (current) consistency.beforeChange(meta.id, r.recordKey, current, 'delete', r.req.socket);
    }
    const size = await backend.deleteRecord(meta.id, r.recordKey);
    if (size === undefined) return;
    await applyStoreChange(r.ctx, meta.id, (m) => {
      m.stats.deleteCount += 1;
      m.stats.storageBytes -= size;
      m.modifiedAt = m.accessedAt = new Date();
    });
  });
  sendEmpty(r.res, 204);
}
