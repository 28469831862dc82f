/**
 * The characters a path (with its query) may hold for the WHATWG URL parser to keep it unchanged,
 * in a path and in a query alike (no space, quote, backslash, `#`, `|` or non-ASCII, which it
 * would percent-encode or read otherwise); dot segments are ruled out apart.
 */
const UNCHANGED_CHARACTERS = /^\/[A-Za-z0-9\-._~!$&()*+,;=:@%/?]*$/;

/** A `.` or `..` segment, spelled out or percent-encoded (`%2e`), which the parser resolves. */
const DOT_SEGMENT = /\/(?:\.|%2e)/i;

/**
 * Whether `path` (starting with `/`, query included) is exactly what parsing the URL origin +
 * `path` yields as its pathname and search: then the path can be used as it is, without the
 * parse, and means what the parse would make of it. False for anything the parser would change
 * (a dot segment, a character it encodes, a `?` with nothing after it, a leading `//`); the caller parses then.
 */
export function parsesAsIs(path: string): boolean {
  // `//` first: resolved against a base, the parser would read a host there.
  if (!UNCHANGED_CHARACTERS.test(path) || path.endsWith('?') || path.startsWith('//')) return false;
  const query = path.indexOf('?');
  return !DOT_SEGMENT.test(query < 0 ? path : path.slice(0, query));
}
