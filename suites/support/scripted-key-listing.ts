import type { KeysPage, ScriptedAnswer, ScriptedRequest } from '../../harness/index.ts';

const utf8Order = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/**
 * A store's key listing as a server answers it (KVS-CLIENT-001 under a prefix): the keys after the
 * request's exclusiveStartKey that start with its prefix, in UTF-8 order, at most its limit and at
 * most `pageSize` per page; a page that leaves keys names its last key as nextExclusiveStartKey.
 */
export function keyListingAnswer(
  keys: readonly string[],
  pageSize: number,
): (request: ScriptedRequest) => ScriptedAnswer {
  const sorted = [...keys].sort(utf8Order);
  return (request) => {
    const query = new URL(request.url, 'http://scripted').searchParams;
    const prefix = query.get('prefix') ?? '';
    const cursor = query.get('exclusiveStartKey');
    const limit = Math.min(Number(query.get('limit') ?? pageSize) || pageSize, pageSize);
    const listed = sorted.filter(
      (key) => key.startsWith(prefix) && (cursor === null || utf8Order(key, cursor) > 0),
    );
    const items = listed.slice(0, limit).map((key) => ({ key, size: 1 }));
    const isTruncated = listed.length > items.length;
    const page: KeysPage = {
      items,
      count: items.length,
      limit,
      isTruncated,
      exclusiveStartKey: cursor,
      nextExclusiveStartKey: isTruncated ? (items.at(-1)?.key ?? null) : null,
    };
    return [200, { data: page }, { 'content-type': 'application/json' }];
  };
}

/** The keys an iterator under `prefix` with `limit` (total) must yield: the first ones under the prefix. */
export function expectedUnderPrefix(keys: readonly string[], prefix: string, limit?: number): string[] {
  return [...keys]
    .sort(utf8Order)
    .filter((key) => key.startsWith(prefix))
    .slice(0, limit ?? Infinity);
}
