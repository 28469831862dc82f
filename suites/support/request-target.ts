// How a client put a record key or a store name into the request target it sent (KVS-CLIENT-007),
// judged on the raw target the scripted server received.

/** RFC 3986 §3.3: the characters of a path segment (pchar), a '%' only as a percent-encoded octet. */
const SEGMENT = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})*$/;
/** RFC 3986 §3.4: the characters of a query (pchar, '/' and '?'), a '%' only as a percent-encoded octet. */
const QUERY = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*$/;

/** The percent-decoded text (UTF-8), or undefined when the octets are not UTF-8. */
function decoded(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/**
 * What is wrong with `target` as the request for record `key` under `recordsPath` (the path up to
 * and including `/records/`), or undefined when the key is its one percent-encoded last segment.
 */
export function keySegmentProblem(target: string, recordsPath: string, key: string): string | undefined {
  // The client's own query (apify-client's ?attachment=true) is its business; the path is the key's.
  const path = target.split('?')[0] ?? '';
  if (!path.startsWith(recordsPath))
    return `the path ${JSON.stringify(path)} is not under ${recordsPath} (the key changed the path's shape)`;
  const segment = path.slice(recordsPath.length);
  if (!SEGMENT.test(segment))
    return `the key's segment ${JSON.stringify(segment)} is not one percent-encoded path segment`;
  const key2 = decoded(segment);
  if (key2 !== key) return `the key's segment ${JSON.stringify(segment)} decodes to ${JSON.stringify(key2)}`;
  return undefined;
}

/**
 * What is wrong with `target` as a request to `path` whose query names the store `name`, or
 * undefined when the query is percent-encoded and its one `name` parameter decodes to the name
 * (form decoding: '+' is a space, as URLSearchParams sends it).
 */
export function nameQueryProblem(target: string, path: string, name: string): string | undefined {
  const at = target.indexOf('?');
  const [targetPath, query] = at < 0 ? [target, ''] : [target.slice(0, at), target.slice(at + 1)];
  if (targetPath !== path) return `the path ${JSON.stringify(targetPath)} is not ${path}`;
  if (!QUERY.test(query))
    return `the query ${JSON.stringify(query)} has characters that are not percent-encoded`;
  const names = new URLSearchParams(query).getAll('name');
  if (names.length !== 1 || names[0] !== name)
    return `the query ${JSON.stringify(query)} names ${JSON.stringify(names)}`;
  return undefined;
}

/** The store collection's path, which a store's own path extends by one segment. */
const STORES_PATH = '/v2/key-value-stores/';

/**
 * What is wrong with `target` as a request for the store `storeId` (`path` after its segment:
 * '' for the store, `/keys` for its keys), or undefined when the id is one percent-encoded segment
 * of the path that decodes to it.
 */
export function storeSegmentProblem(target: string, storeId: string, rest: string): string | undefined {
  const path = target.split('?')[0] ?? '';
  if (!path.startsWith(STORES_PATH) || !path.endsWith(rest))
    return `the path ${JSON.stringify(path)} is not ${STORES_PATH}{storeId}${rest} (the id changed the path's shape)`;
  const segment = path.slice(STORES_PATH.length, path.length - rest.length);
  if (!SEGMENT.test(segment))
    return `the store id's segment ${JSON.stringify(segment)} is not one percent-encoded path segment`;
  const id = decoded(segment);
  if (id !== storeId)
    return `the store id's segment ${JSON.stringify(segment)} decodes to ${JSON.stringify(id)}`;
  return undefined;
}

/**
 * What is wrong with `target` as a look-up of the store named `name` by its path (`~name`, or
 * `username~name`), or undefined when the segment is one percent-encoded segment that decodes to it.
 */
export function nameSegmentProblem(target: string, name: string): string | undefined {
  const path = target.split('?')[0] ?? '';
  const segment = path.slice(STORES_PATH.length);
  if (!path.startsWith(STORES_PATH) || !SEGMENT.test(segment))
    return `the path ${JSON.stringify(path)} is not ${STORES_PATH} and one percent-encoded segment (the name changed the path's shape)`;
  const lookedUp = decoded(segment);
  if (
    lookedUp === undefined ||
    !lookedUp.endsWith(`~${name}`) ||
    lookedUp.slice(0, -name.length - 1).includes('~')
  )
    return `the segment ${JSON.stringify(segment)} decodes to ${JSON.stringify(lookedUp)}, not ~${name} (or username~${name})`;
  return undefined;
}
