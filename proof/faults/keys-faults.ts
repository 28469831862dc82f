// Fault modes whose target rules are in KVS-KEYS (the key listing and its cursor).
import { bare, isKeys, isRecordWrite, keysPage, query, recordKeyOf, storeSegment } from './fault-helpers.ts';
import type { FaultMode } from './fault-mode.ts';

/** Percent-encodes the characters escape() would in a valid key (! ' ( )). */
const escapeKey = (key: string): string =>
  key.replace(/[!'()]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);

const limitOf = (path: string): number | undefined => {
  const value = query(path).get('limit');
  return value === null ? undefined : Number(value);
};

/** KEYS faults. */
export const KEYS_FAULTS: readonly FaultMode[] = [
  {
    name: 'keys-cursor-skips-one',
    targets: ['KVS-KEYS-001'],
    bug: 'the cursor query uses OFFSET 1 after the seek: every page after the first loses its first key (only past the first page)',
    narrow: true,
    fault: () => ({
      request: async (request, forward) => {
        const cursor = query(request.path).get('exclusiveStartKey');
        if (!isKeys(request.path) || request.method !== 'GET' || cursor === null) return forward(request);
        const limit = limitOf(request.path) ?? 1000;
        const params = query(request.path);
        params.set('limit', String(limit + 1));
        const answer = await forward({ ...request, path: `${bare(request.path)}?${params.toString()}` });
        return keysPage({ ...answer, path: request.path }, (data) => {
          const items = data.items.slice(1, limit + 1);
          return {
            ...data,
            items,
            count: items.length,
            limit: Math.min(limit, 1000),
            nextExclusiveStartKey: data.isTruncated ? (items.at(-1)?.key ?? null) : null,
          };
        });
      },
    }),
  },
  {
    name: 'keys-locale-order',
    targets: ['KVS-KEYS-002'],
    bug: 'keys are sorted with localeCompare instead of UTF-8 byte order (differs only for mixed case and punctuation)',
    narrow: true,
    fault: () => (answer) =>
      keysPage(answer, (data) => ({
        ...data,
        items: [...data.items].sort((a, b) => a.key.localeCompare(b.key)),
      })),
  },
  {
    name: 'keys-truncated-when-full',
    targets: ['KVS-KEYS-003'],
    bug: 'isTruncated is computed as count === limit, so a last page that is exactly full says more follow',
    narrow: true,
    fault: () => (answer) =>
      keysPage(answer, (data) =>
        !data.isTruncated && data.count > 0 && data.count === data.limit
          ? { ...data, isTruncated: true, nextExclusiveStartKey: data.items.at(-1)?.key ?? null }
          : data,
      ),
  },
  {
    name: 'keys-cursor-escaped',
    targets: ['KVS-KEYS-004'],
    bug: "nextExclusiveStartKey is percent-encoded like escape(): wrong for keys with ! ' ( ) (the server unescapes it, so walks still work)",
    narrow: true,
    fault: () => ({
      request: async (request, forward) => {
        const cursor = query(request.path).get('exclusiveStartKey');
        const params = query(request.path);
        if (isKeys(request.path) && cursor !== null)
          params.set('exclusiveStartKey', decodeURIComponent(cursor));
        const answer = await forward({ ...request, path: `${bare(request.path)}?${params.toString()}` });
        return keysPage({ ...answer, path: request.path }, (data) =>
          data.isTruncated && typeof data.nextExclusiveStartKey === 'string'
            ? { ...data, nextExclusiveStartKey: escapeKey(data.nextExclusiveStartKey) }
            : data,
        );
      },
    }),
  },
  {
    name: 'keys-last-cursor-omitted',
    targets: ['KVS-KEYS-005'],
    bug: 'the last page leaves nextExclusiveStartKey out instead of sending null',
    fault: () => (answer) =>
      keysPage(answer, (data) =>
        data.nextExclusiveStartKey === null ? { ...data, nextExclusiveStartKey: undefined } : data,
      ),
  },
  {
    name: 'keys-cursor-inclusive',
    targets: ['KVS-KEYS-006'],
    bug: 'exclusiveStartKey is treated as inclusive when the cursor key exists: the page starts at it',
    fault: () => ({
      request: async (request, forward) => {
        const cursor = query(request.path).get('exclusiveStartKey');
        const answer = await forward(request);
        if (!isKeys(request.path) || cursor === null) return answer;
        const head = await forward({
          ...request,
          method: 'HEAD',
          path: `${bare(request.path).replace(/\/keys$/, '/records/')}${encodeURIComponent(cursor)}`,
        });
        if (head.status !== 200) return answer;
        const limit = limitOf(request.path) ?? 1000;
        return keysPage(answer, (data) => {
          const items = [{ key: cursor, size: Number(head.headers['content-length'] ?? 0) }, ...data.items];
          const page = items.slice(0, limit);
          const truncated = data.isTruncated || items.length > limit;
          return {
            ...data,
            items: page,
            count: page.length,
            isTruncated: truncated,
            nextExclusiveStartKey: truncated ? (page.at(-1)?.key ?? null) : null,
          };
        });
      },
    }),
  },
  {
    name: 'keys-prefix-ignored',
    targets: ['KVS-KEYS-007'],
    bug: 'the prefix parameter is not read: the listing holds every key',
    fault: () => ({
      request: (request, forward) => {
        if (!isKeys(request.path)) return forward(request);
        const params = query(request.path);
        params.delete('prefix');
        return forward({ ...request, path: `${bare(request.path)}?${params.toString()}` });
      },
    }),
  },
  {
    name: 'keys-prefix-excludes-itself',
    targets: ['KVS-KEYS-007'],
    bug: 'the prefix is matched with a strict greater-than: a key equal to the prefix is left out',
    narrow: true,
    fault: () => (answer) => {
      const prefix = query(answer.path).get('prefix');
      return prefix === null
        ? answer
        : keysPage(answer, (data) => {
            const items = data.items.filter((item) => item.key !== prefix);
            return { ...data, items, count: items.length };
          });
    },
  },
  {
    name: 'keys-size-zero',
    targets: ['KVS-KEYS-008'],
    bug: 'listed sizes are always 0 (size read from an unfilled column)',
    fault: () => (answer) =>
      keysPage(answer, (data) => ({ ...data, items: data.items.map((item) => ({ ...item, size: 0 })) })),
  },
  {
    name: 'keys-size-in-characters',
    targets: ['KVS-KEYS-008'],
    bug: 'listed sizes count the value as decoded text (UTF-16 units), not bytes: wrong for bodies with a byte ≥ 0x80',
    narrow: true,
    fault: () => {
      const sizes = new Map<string, number>();
      return {
        request: async (request, forward) => {
          const answer = await forward(request);
          if (isRecordWrite(request) && answer.status < 300)
            sizes.set(
              `${storeSegment(request.path)}/${recordKeyOf(request.path)}`,
              request.body.toString('utf8').length,
            );
          if (!isKeys(request.path)) return answer;
          const store = storeSegment(request.path);
          return keysPage(answer, (data) => ({
            ...data,
            items: data.items.map((item) => ({
              ...item,
              size: sizes.get(`${store}/${item.key}`) ?? item.size,
            })),
          }));
        },
      };
    },
  },
  {
    name: 'keys-default-limit-100',
    targets: ['KVS-KEYS-009'],
    bug: 'without a limit the key listing pages by 100, not the documented 1000 (only when no limit is sent)',
    narrow: true,
    fault: () => (answer) =>
      limitOf(answer.path) === undefined ? keysPage(answer, (data) => ({ ...data, limit: 100 })) : answer,
  },
  {
    name: 'keys-limit-zero-default',
    targets: ['KVS-KEYS-010'],
    bug: 'limit=0 is read as "no limit" (falsy) instead of being refused; negative limits are refused',
    narrow: true,
    // A bug only for a server that means to refuse a limit below 1 (the setting's default is either).
    runFlags: ['--list-limit-below-min', 'reject'],
    fault: () => ({
      request: (request, forward) => {
        if (!isKeys(request.path) || query(request.path).get('limit') !== '0') return forward(request);
        const params = query(request.path);
        params.delete('limit');
        return forward({ ...request, path: `${bare(request.path)}?${params.toString()}` }).then((answer) => ({
          ...answer,
          path: request.path,
        }));
      },
    }),
  },
  {
    name: 'keys-limit-sign-dropped',
    targets: ['KVS-KEYS-010'],
    bug: 'the limit parser reads digits only: limit=-5 lists a page of 5, neither refused, nor read as not given, nor as 1',
    narrow: true,
    fault: () => ({
      request: (request, forward) => {
        const limit = limitOf(request.path);
        if (!isKeys(request.path) || limit === undefined || !(limit < 0)) return forward(request);
        const params = query(request.path);
        params.set('limit', String(-limit));
        return forward({ ...request, path: `${bare(request.path)}?${params.toString()}` }).then((answer) => ({
          ...answer,
          path: request.path,
        }));
      },
    }),
  },
];
