/** Longest store id cleanup puts into a path (a longer one is reported, not sent). */
const MAX_STORE_ID_CHARS = 1000;

/**
 * Why a store id the target gave cannot be one path segment, or undefined when it can. Any id is
 * sent percent-encoded (`encodeURIComponent`: `/`, `?`, `#`, `%` and every non-ASCII byte are
 * escaped), so an id can never add a segment, a query or a fragment; only the dot segments `.`
 * and `..`, which encoding leaves as they are and RFC 3986 §5.2.4 removes from a path, and the
 * empty segment would change the path's shape, and a `~` would make it a store name. Those are
 * never sent.
 */
export function storeIdSegmentProblem(id: unknown): string | undefined {
  if (typeof id !== 'string') return `the id is a ${id === null ? 'null' : typeof id}, not a string`;
  if (id === '') return 'the id is empty: it would address the store list';
  if (id === '.' || id === '..')
    return `the id is the dot segment ${JSON.stringify(id)}: it would change the path's shape`;
  // `username~store-name` addresses a store by name (encoding does not help: %7E decodes to ~), so
  // an id with a tilde could name a store this run never made.
  if (id.includes('~'))
    return 'the id contains "~", which the API reads as username~store-name: it could address another store';
  if (id.length > MAX_STORE_ID_CHARS) return `the id is longer than ${MAX_STORE_ID_CHARS} characters`;
  return undefined;
}
