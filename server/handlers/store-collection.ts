import { invalidInput } from '../api-error.ts';
import { requireOwner } from '../caller-auth.ts';
import { sendJson } from '../http-response.ts';
import { QueryParams } from '../query-params.ts';
import { readBody, readJsonBody } from '../request-body.ts';
import { storeUrl, toApiStore, type KvsRequest } from '../server-context.ts';
import { newStoreMeta } from '../new-store-meta.ts';
import { checkStoreName } from '../store-name.ts';

/** The largest store-list page. */
const STORE_LIST_MAX_LIMIT = 1000;
/** The largest body accepted where a store's options or fields are sent. */
export const STORE_BODY_MAX_BYTES = 1024 * 1024;

/** GET /v2/key-value-stores — stores in creation order, named only unless `unnamed`. */
export async function listStores(r: KvsRequest): Promise<void> {
  const query = new QueryParams(r.query, ['offset', 'limit', 'desc', 'unnamed', 'ownership']);
  requireOwner(r.caller);
  const offset = query.integer('offset', 0) ?? 0;
  const requested = query.integer('limit', 0);
  // The API treats limit=0 as "not given" (apify-client relies on it), and clamps above the maximum.
  const limit =
    requested === undefined || requested === 0
      ? STORE_LIST_MAX_LIMIT
      : Math.min(requested, STORE_LIST_MAX_LIMIT);
  const desc = query.boolean('desc', false);
  const unnamed = query.boolean('unnamed', false);
  const ownership = query.oneOf('ownership', ['ownedByMe', 'sharedWithMe'] as const);

  const all = r.ctx.consistency
    .listStores(await r.ctx.backend.listStores())
    .filter((meta) => (unnamed || meta.name !== null) && ownership !== 'sharedWithMe')
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.seq - b.seq);
  if (desc) all.reverse();
  const items = all.slice(offset, offset + limit).map((meta) => toApiStore(r.ctx, meta));
  sendJson(r.res, 200, {
    data: { total: all.length, offset, limit, desc, unnamed, count: items.length, items },
  });
}

/** POST /v2/key-value-stores — get-or-create by name (atomic), or create an unnamed store. */
export async function createStore(r: KvsRequest): Promise<void> {
  const query = new QueryParams(r.query, ['name']);
  requireOwner(r.caller);
  const name = query.string('name');
  if (name !== undefined) checkStoreName(name);
  // apify-client sends an empty form body, or its options as JSON; only JSON is looked into.
  const isJson = (r.req.headers['content-type'] ?? '').includes('json');
  const body = isJson
    ? await readJsonBody(r.req, STORE_BODY_MAX_BYTES)
    : void (await readBody(r.req, { maxBytes: STORE_BODY_MAX_BYTES, counts: 'decoded' }));
  if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body))) {
    throw invalidInput('The request body must be a JSON object (store options such as schema).');
  }

  const { meta, created } = await r.ctx.nameLock.run('names', async () => {
    const existing = name === undefined ? undefined : await r.ctx.backend.findStoreByName(name);
    if (existing) return { meta: existing, created: false };
    const fresh = newStoreMeta(name ?? null, r.ctx.nextSeq());
    await r.ctx.backend.createStore(fresh);
    r.ctx.consistency.noteStoreCreated(fresh.id);
    return { meta: fresh, created: true };
  });
  const headers: Record<string, string> = created ? { location: storeUrl(r.ctx, meta.id) } : {};
  sendJson(r.res, created ? 201 : 200, { data: toApiStore(r.ctx, meta) }, headers);
}
