import type { OpenAPIV3 } from 'openapi-types';
import type { Contract, KeysPage } from '../harness/index.ts';
import type { RecordValueSample } from './record-value-arbitrary.ts';
import { notFoundErrorTypes } from './server-answer-arbitrary.ts';

// The edges the client contract names, as fixed cases the KVS-CLIENT checks run every time (as
// fast-check `examples`), before their generated cases: a verdict on them never depends on the seed.

/** Pages over `keys` (already in UTF-8 order) of the given sizes; the last names no next key. */
function pagesOf(keys: readonly string[], sizes: readonly number[], pageLimit?: number): KeysPage[] {
  const pages: KeysPage[] = [];
  let start = 0;
  let cursor: string | null = null;
  for (const size of sizes) {
    const items = keys.slice(start, start + size).map((key) => ({ key, size: key.length }));
    start += items.length;
    const isTruncated = start < keys.length;
    const next: string | null = isTruncated ? (items.at(-1)?.key ?? null) : null;
    pages.push({
      items,
      count: items.length,
      limit: pageLimit ?? size,
      isTruncated,
      exclusiveStartKey: cursor,
      nextExclusiveStartKey: next,
    });
    cursor = next;
  }
  return pages;
}

/**
 * Key page sequences at the edges of KVS-CLIENT-001: an empty store; one full page that is the last
 * (as many items as its limit, not truncated); a truncated page shorter than its limit followed by
 * more; a prefixed listing over several pages of two keys.
 */
export function keyPageEdges(): KeysPage[][] {
  const prefixed = ['p/1', 'p/2', 'p/3', 'p/4', 'p/5', 'p/6', 'p/7'];
  return [
    pagesOf([], [0], 1000),
    pagesOf(['a', 'b', 'c'], [3]),
    pagesOf(['a', 'b', 'c', 'd', 'e'], [1, 4], 4),
    pagesOf(['a', 'b', 'c', 'd', 'e', 'f'], [3, 3]),
    pagesOf(prefixed, [2, 2, 2, 1], 2),
  ];
}

/**
 * 404 answers whose type is not a not-found type (KVS-CLIENT-003: they must throw): every error
 * type the contract documents for any answer, served as a 404, and one it does not name.
 */
export function nonMissingNotFoundTypes(contract: Contract): string[] {
  const notFound = new Set(notFoundErrorTypes(contract));
  const types = new Set<string>(['page-not-found']);
  for (const response of Object.values(contract.document.components?.responses ?? {})) {
    const example = (response as OpenAPIV3.ResponseObject).content?.['application/json']?.example as
      { error?: { type?: unknown } } | undefined;
    if (typeof example?.error?.type === 'string') types.add(example.error.type);
  }
  return [...types].filter((type) => !notFound.has(type)).sort();
}

/** 5xx and 429 answers a client must retry (KVS-CLIENT-004). */
export const RETRIED_STATUSES: readonly number[] = [429, 500, 502, 503];

/**
 * Record bodies at the edges of KVS-CLIENT-005: 0-byte bodies of every kind (text, XML, bytes,
 * other media types), JSON scalars that are falsy or strings, multi-byte UTF-8 text and bytes that
 * are not valid UTF-8.
 */
export function recordValueEdges(): RecordValueSample[] {
  const json = (value: unknown): RecordValueSample => ({
    value: Buffer.from(JSON.stringify(value)),
    contentType: 'application/json; charset=utf-8',
  });
  return [
    { value: Buffer.alloc(0), contentType: 'text/plain; charset=utf-8' },
    { value: Buffer.alloc(0), contentType: 'application/octet-stream' },
    { value: Buffer.alloc(0), contentType: 'application/xml' },
    { value: Buffer.alloc(0), contentType: 'image/png' },
    json(0),
    json(false),
    json(null),
    json(''),
    json('text'),
    json({ a: [1, 'é'] }),
    { value: Buffer.from('héllo wörld €😀'), contentType: 'text/plain; charset=utf-8' },
    { value: Buffer.from([0xff, 0xfe, 0x80, 0x00, 0xc3]), contentType: 'application/octet-stream' },
    { value: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff]), contentType: 'image/png' },
  ];
}

/**
 * fast-check parameters that run every fixed example and `runs` generated cases on top: fast-check
 * counts examples within numRuns, so `{numRuns: runs, examples}` would drop examples past `runs`.
 */
export function examplesThenRuns<T>(
  examples: readonly T[],
  runs: number,
): { numRuns: number; examples: T[] } {
  return { numRuns: examples.length + runs, examples: [...examples] };
}
