import { newStoreId, randomAlphanumeric } from './store-ids.ts';
import type { StoreMeta } from './storage/storage-backend.ts';

/** Metadata of a store created now: a new id, a new URL-signing secret, zeroed counters. */
export function newStoreMeta(name: string | null, seq: number): StoreMeta {
  const now = new Date();
  return {
    id: newStoreId(),
    name,
    seq,
    createdAt: now,
    modifiedAt: now,
    accessedAt: now,
    generalAccess: 'FOLLOW_USER_SETTING',
    urlSigningSecretKey: randomAlphanumeric(32),
    stats: { readCount: 0, writeCount: 0, deleteCount: 0, listCount: 0, storageBytes: 0 },
  };
}
