import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, notFound } from './api-error.ts';
import { requireOwner, type Caller } from './caller-auth.ts';
import type { ConsistencyModel } from './consistency-simulator.ts';
import type { KeyedMutex } from './keyed-mutex.ts';
import type { ResolvedServerOptions } from './server-options.ts';
import type { StorageBackend, StoreMeta } from './storage/storage-backend.ts';
import { createKeysSignature } from './url-signing.ts';

/** Everything handlers share for the server's lifetime. */
export interface ServerContext {
  readonly options: ResolvedServerOptions;
  readonly backend: StorageBackend;
  readonly consistency: ConsistencyModel;
  /** Serializes metadata updates (counters, timestamps) per store id. */
  readonly storeLocks: KeyedMutex;
  /** Serializes everything that gives or takes a store name. */
  readonly nameLock: KeyedMutex;
  /** The absolute base URL for Location headers and public URLs. */
  baseUrl(): string;
  /** A creation sequence number (list order for equal timestamps). */
  nextSeq(): number;
  /** Each known run's default store id, by run id. */
  readonly runStores: ReadonlyMap<string, string>;
}

/** One request as handlers see it. */
export interface KvsRequest {
  readonly ctx: ServerContext;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** The query of the request target. */
  readonly query: URLSearchParams;
  readonly caller: Caller;
  /** The decoded `{storeId}` path segment, when the route has one. */
  readonly storeId: string;
  /** The decoded record key, when the route has one. */
  readonly recordKey: string;
}

/** How often keysPublicUrl stays valid (the platform's 14 days). */
const KEYS_URL_VALIDITY_MS = 14 * 24 * 3600 * 1000;

/** What a read-only caller without a token may see. */
export type AnonymousAccess = 'none' | 'by-id' | 'by-name';

function anonymousAccess(meta: StoreMeta): AnonymousAccess {
  if (meta.generalAccess === 'ANYONE_WITH_NAME_CAN_READ') return 'by-name';
  return meta.generalAccess === 'ANYONE_WITH_ID_CAN_READ' ? 'by-id' : 'none';
}

/**
 * Finds the store a `{storeId}` segment names: a 17-character id, `~name` (the caller's store of
 * that name, token needed) or `username~name`. 404 record-not-found when there is none.
 */
export async function resolveStore(r: KvsRequest): Promise<StoreMeta> {
  const { ctx, storeId } = r;
  const tilde = storeId.indexOf('~');
  if (tilde < 0) {
    const meta = await ctx.backend.getStore(storeId);
    if (!meta) throw notFound('Store');
    return meta;
  }
  const username = storeId.slice(0, tilde);
  const name = storeId.slice(tilde + 1);
  if (username === '') requireOwner(r.caller);
  if (username !== '' && username !== ctx.options.username) throw notFound('Store');
  const meta = name === '' ? undefined : await ctx.backend.findStoreByName(name);
  if (!meta) throw notFound('Store');
  if (r.caller !== 'owner' && anonymousAccess(meta) !== 'by-name') requireOwner(r.caller);
  return meta;
}

/** Passes when the caller owns the store or the store is readable by anyone who knows its id. */
export function requireReadAccess(r: KvsRequest, meta: StoreMeta): void {
  if (r.caller === 'owner' || anonymousAccess(meta) !== 'none') return;
  requireOwner(r.caller);
}

/** 403 invalid-signature with the reason. */
export function signatureRefused(reason: string): ApiError {
  return new ApiError(403, 'invalid-signature', `The signature is refused: ${reason}.`);
}

/** The absolute URL of a store (`…/v2/key-value-stores/{id}`). */
export function storeUrl(ctx: ServerContext, id: string): string {
  return `${ctx.baseUrl()}/v2/key-value-stores/${id}`;
}

/** A store as the API shows it to its owner. */
export function toApiStore(ctx: ServerContext, meta: StoreMeta): Record<string, unknown> {
  const expiresAt = Date.now() + KEYS_URL_VALIDITY_MS;
  return {
    id: meta.id,
    name: meta.name,
    userId: 'localUserId000001',
    username: ctx.options.username,
    createdAt: meta.createdAt.toISOString(),
    modifiedAt: meta.modifiedAt.toISOString(),
    accessedAt: meta.accessedAt.toISOString(),
    actId: null,
    actRunId: null,
    keysPublicUrl: `${storeUrl(ctx, meta.id)}/keys?signature=${createKeysSignature(meta.urlSigningSecretKey, meta.id, expiresAt)}`,
    urlSigningSecretKey: meta.urlSigningSecretKey,
    generalAccess: meta.generalAccess,
    stats: { ...meta.stats },
  };
}

/** Applies `change` to the store's saved metadata; the caller holds the store's lock. */
export async function applyStoreChange(
  ctx: ServerContext,
  id: string,
  change: (meta: StoreMeta) => void,
  durable = false,
): Promise<StoreMeta | undefined> {
  const meta = await ctx.backend.getStore(id);
  if (!meta) return undefined;
  change(meta);
  await ctx.backend.saveStore(meta, durable);
  return meta;
}

/** Applies `change` to the store's saved metadata, one update at a time per store. */
export function updateStoreMeta(
  ctx: ServerContext,
  id: string,
  change: (meta: StoreMeta) => void,
  durable = false,
): Promise<StoreMeta | undefined> {
  return ctx.storeLocks.run(id, () => applyStoreChange(ctx, id, change, durable));
}

/**
 * Applies a lazy metadata change (counters, access time) at once when the backend can
 * (changeStoreNow) and no update of the store is queued, which is what updateStoreMeta would then
 * do, minus its promises. Says whether it did; if not, the caller uses updateStoreMeta.
 */
export function changeStoreNow(ctx: ServerContext, id: string, change: (meta: StoreMeta) => void): boolean {
  if (!ctx.backend.changeStoreNow || !ctx.storeLocks.isIdle(id)) return false;
  ctx.backend.changeStoreNow(id, change);
  return true;
}

/** Compares two strings in UTF-8 byte order (the order the API lists keys in). */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
