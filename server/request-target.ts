import { ApiError } from './api-error.ts';

/** The parts of a request target the server reads. */
export interface RequestTarget {
  /** The path as the WHATWG URL parser gives it (dot segments resolved, unsafe characters escaped). */
  readonly pathname: string;
  readonly query: URLSearchParams;
}

/**
 * A path the URL parser returns unchanged: only characters it leaves as they are, no query, no
 * fragment, no backslash, and no `.` or `..` segment, also not percent-encoded (`%2e`).
 */
const PLAIN_PATH = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/;
const DOT_SEGMENT = /(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)/i;

/**
 * Splits an origin-form request target (`/path?query`). `new URL()` alone would read
 * `//host/path` as another host and throw on `*`, so other forms are refused (400). A plain path
 * (the common case) skips the URL parser, which would give the same pathname and an empty query.
 */
export function parseRequestTarget(target: string): RequestTarget {
  if (PLAIN_PATH.test(target) && !DOT_SEGMENT.test(target))
    return { pathname: target, query: new URLSearchParams() };
  const url = target.startsWith('/') ? URL.parse(`http://localhost${target}`) : null;
  if (!url)
    throw new ApiError(400, 'invalid-request', `The request target "${target.slice(0, 200)}" is not a path.`);
  return { pathname: url.pathname, query: url.searchParams };
}
