import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'undici';

/** A request as a front received it, to pass on to the correct target. */
export interface ForwardedRequest {
  readonly method: string;
  /** Path and query. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/** The correct target's answer, read whole, for a front to pass on or rewrite. */
export interface UpstreamAnswer {
  readonly status: number;
  /** Its end-to-end headers (see endToEndHeaders), one string each. */
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  /** The Content-Length it announced (for a HEAD answer: the length of the body it did not send). */
  readonly contentLength: string | undefined;
}

/**
 * Headers a front never passes on: those of one connection (RFC 9110 §7.6.1: Connection,
 * Keep-Alive, Transfer-Encoding), the Host of the front itself, and Content-Length, which the
 * front sets again for the body it sends.
 */
const HOP_BY_HOP = ['host', 'connection', 'keep-alive', 'transfer-encoding', 'content-length'];

/** The headers a front passes on, one string each (repeated headers joined with `, `). */
export function endToEndHeaders(
  headers: IncomingHttpHeaders | Readonly<Record<string, string | string[] | undefined>>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers)
      .filter(([name, value]) => value !== undefined && !HOP_BY_HOP.includes(name))
      .map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : String(value)]),
  );
}

/** Sends `forwarded` to the correct target at `upstream` and reads its whole answer. */
export async function forwardRequest(upstream: string, forwarded: ForwardedRequest): Promise<UpstreamAnswer> {
  const answer = await request(`${upstream}${forwarded.path}`, {
    method: forwarded.method as 'GET',
    headers: endToEndHeaders(forwarded.headers),
    ...(forwarded.body.length > 0 ? { body: forwarded.body } : {}),
  });
  const contentLength = answer.headers['content-length'];
  return {
    status: answer.statusCode,
    headers: endToEndHeaders(answer.headers),
    body: Buffer.from(await answer.body.arrayBuffer()),
    contentLength: contentLength === undefined ? undefined : String(contentLength),
  };
}
