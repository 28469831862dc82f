import { ApiError } from '../api-error.ts';
import { sendJson } from '../http-response.ts';
import { QueryParams } from '../query-params.ts';
import {
  compareUtf8,
  requireReadAccess,
  resolveStore,
  signatureRefused,
  storeUrl,
  updateStoreMeta,
  type KvsRequest,
} from '../server-context.ts';
import type { StoreMeta } from '../storage/storage-backend.ts';
import { createHmacSignature, keysSignatureProblem } from '../url-signing.ts';

/** The largest key page. */
const KEYS_MAX_LIMIT = 1000;

/** Owner, a valid keys signature, or a store readable by anyone. */
export function checkKeysAccess(r: KvsRequest, meta: StoreMeta, signature: string | undefined): void {
  if (r.caller === 'owner' || signature === undefined) {
    requireReadAccess(r, meta);
    return;
  }
  const problem = keysSignatureProblem(meta.urlSigningSecretKey, meta.id, signature, Date.now());
  if (problem) throw signatureRefused(problem);
}

/** 400 invalid-collection: this server keeps no store schemas, so no collection exists. */
export function refuseCollection(collection: string | undefined): void {
  if (collection !== undefined) {
    throw new ApiError(
      400,
      'invalid-collection',
      `Collection "${collection}" does not exist: the store has no schema.`,
    );
  }
}

/** GET /v2/key-value-stores/{storeId}/keys — keys in UTF-8 byte order after exclusiveStartKey. */
export async function listKeys(r: KvsRequest): Promise<void> {
  const query = new QueryParams(r.query, ['exclusiveStartKey', 'limit', 'collection', 'prefix', 'signature']);
  const limit = Math.min(query.integer('limit', 1) ?? KEYS_MAX_LIMIT, KEYS_MAX_LIMIT);
  const exclusiveStartKey = query.string('exclusiveStartKey');
  const prefix = query.string('prefix') ?? '';
  refuseCollection(query.string('collection'));
  const meta = await resolveStore(r);
  checkKeysAccess(r, meta, query.string('signature'));

  const visible = r.ctx.consistency.list(meta.id, await r.ctx.backend.listRecords(meta.id), r.req.socket);
  const after = visible
    .filter((info) => info.key.startsWith(prefix))
    .filter((info) => exclusiveStartKey === undefined || compareUtf8(info.key, exclusiveStartKey) > 0)
    .sort((a, b) => compareUtf8(a.key, b.key));
  const page = after.slice(0, limit);
  const isTruncated = after.length > limit;
  await updateStoreMeta(r.ctx, meta.id, (m) => {
    m.stats.listCount += 1;
    m.accessedAt = new Date();
  });
  const base = storeUrl(r.ctx, meta.id);
  sendJson(r.res, 200, {
    data: {
      items: page.map((info) => ({
        key: info.key,
        size: info.size,
        recordPublicUrl: `${base}/records/${info.key}?signature=${createHmacSignature(meta.urlSigningSecretKey, info.key)}`,
      })),
      count: page.length,
      limit,
      exclusiveStartKey: exclusiveStartKey ?? null,
      isTruncated,
      nextExclusiveStartKey: isTruncated ? (page.at(-1)?.key ?? null) : null,
    },
  });
}
