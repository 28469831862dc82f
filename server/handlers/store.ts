import { ApiError, invalidInput, notFound } from '../api-error.ts';
import { requireOwner } from '../caller-auth.ts';
import { sendEmpty, sendJson } from '../http-response.ts';
import { QueryParams } from '../query-params.ts';
import { readJsonBody } from '../request-body.ts';
import {
  requireReadAccess,
  resolveStore,
  toApiStore,
  updateStoreMeta,
  type KvsRequest,
} from '../server-context.ts';
import { checkStoreName } from '../store-name.ts';
import type { GeneralAccess } from '../storage/storage-backend.ts';
import { STORE_BODY_MAX_BYTES } from './store-collection.ts';

const GENERAL_ACCESS: readonly GeneralAccess[] = [
  'FOLLOW_USER_SETTING',
  'RESTRICTED',
  'ANYONE_WITH_ID_CAN_READ',
  'ANYONE_WITH_NAME_CAN_READ',
];
const UPDATABLE_FIELDS = ['name', 'generalAccess', 'title'];

/** GET /v2/key-value-stores/{storeId} */
export async function getStore(r: KvsRequest): Promise<void> {
  new QueryParams(r.query, []);
  const meta = await resolveStore(r);
  requireReadAccess(r, meta);
  const touched = await updateStoreMeta(r.ctx, meta.id, (m) => (m.accessedAt = new Date()));
  sendJson(r.res, 200, { data: toApiStore(r.ctx, touched ?? meta) });
}

/** PUT /v2/key-value-stores/{storeId} — rename (or unname) and change general access. */
export async function updateStore(r: KvsRequest): Promise<void> {
  new QueryParams(r.query, []);
  requireOwner(r.caller);
  const meta = await resolveStore(r);
  const body = await readJsonBody(r.req, STORE_BODY_MAX_BYTES);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError(
      400,
      'invalid-request',
      'The request body must be a JSON object with name and/or generalAccess.',
    );
  }
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((field) => !UPDATABLE_FIELDS.includes(field));
  if (unknown.length > 0)
    throw invalidInput(`Unknown field(s) ${unknown.join(', ')}; allowed: ${UPDATABLE_FIELDS.join(', ')}.`);
  const { name, generalAccess, title } = fields;
  if (name !== undefined && name !== null) {
    if (typeof name !== 'string') throw invalidInput('name must be a string or null.');
    checkStoreName(name);
  }
  if (generalAccess !== undefined && !GENERAL_ACCESS.includes(generalAccess as GeneralAccess)) {
    throw invalidInput(
      `generalAccess is ${JSON.stringify(generalAccess)}; allowed: ${GENERAL_ACCESS.join(', ')}.`,
    );
  }
  if (title !== undefined && typeof title !== 'string') throw invalidInput('title must be a string.');

  const updated = await r.ctx.nameLock.run('names', async () => {
    if (typeof name === 'string' && name !== meta.name) {
      const holder = await r.ctx.backend.findStoreByName(name);
      if (holder && holder.id !== meta.id) {
        throw invalidInput(
          `Store name "${name}" is already taken by another store; names are unique per account.`,
        );
      }
    }
    if (name !== undefined && name !== meta.name) r.ctx.consistency.noteStoreRenamed(meta.id, meta.name);
    return updateStoreMeta(
      r.ctx,
      meta.id,
      (m) => {
        if (name !== undefined) m.name = name;
        if (generalAccess !== undefined) m.generalAccess = generalAccess as GeneralAccess;
        m.modifiedAt = new Date();
      },
      true,
    );
  });
  if (!updated) throw notFound('Store');
  sendJson(r.res, 200, { data: toApiStore(r.ctx, updated) });
}

/** DELETE /v2/key-value-stores/{storeId} */
export async function deleteStore(r: KvsRequest): Promise<void> {
  new QueryParams(r.query, []);
  requireOwner(r.caller);
  const meta = await resolveStore(r);
  await r.ctx.nameLock.run('names', () =>
    r.ctx.storeLocks.run(meta.id, () => r.ctx.backend.deleteStore(meta.id)),
  );
  r.ctx.consistency.forgetStore(meta.id);
  sendEmpty(r.res, 204);
}
