// Store listings a hostile target makes up (for the cleanup pass to walk).
import { randomBytes } from 'node:crypto';

/** A store list page of `items`, claiming `total` stores. */
export const storeList = (items: readonly object[], total: number, offset = 0): string =>
  JSON.stringify({ data: { total, offset, limit: 1000, count: items.length, desc: false, items } });
/** A store as a listing shows it. */
export const store = (id: string, name: string | null): object => ({
  id,
  name,
  userId: 'AAAAAAAAAAAAAAAAA',
  createdAt: '2026-01-01T00:00:00.000Z',
  modifiedAt: '2026-01-01T00:00:00.000Z',
  accessedAt: '2026-01-01T00:00:00.000Z',
});
/** A random store id of the documented 17 characters. */
export const randomId = (): string =>
  randomBytes(12).toString('base64url').replace(/[-_]/g, 'x').slice(0, 17);
