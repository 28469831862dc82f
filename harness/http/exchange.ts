import { bytesRedactor } from './redact.ts';

/** One HTTP request as sent, redacted (the token never appears). */
export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** At most the first EXCERPT_BYTES of the body, as text when it is UTF-8, else base64 with a note. */
  readonly bodyExcerpt: string;
  readonly bodyBytes: number;
}

/** One HTTP response as received (body kept in full up to the response cap). */
export interface RecordedResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** The body; when it was digested (HttpRequest.digestBody) only its beginning, for the excerpt. */
  readonly body: Buffer;
  readonly bodyExcerpt: string;
  /** For a digested body: its SHA-256 (hex) and length, taken as it arrived. */
  readonly digest?: BodyDigest;
}

/** A body's SHA-256 (hex) and length in bytes. */
export interface BodyDigest {
  readonly sha256: string;
  readonly bytes: number;
}

/** One request/response pair, redacted, with timing; `error` when no response was read. */
export interface Exchange {
  readonly operationId: string | undefined;
  readonly request: RecordedRequest;
  readonly response: RecordedResponse | undefined;
  readonly error: string | undefined;
  readonly startedAt: string;
  readonly durationMs: number;
  /**
   * How long the body took to arrive after the status line and headers (ms; the rest of durationMs
   * came before): the answer was decided by the time its status arrived, whatever delays its body
   * (a server whose body waits on Nagle's algorithm, a large body). Absent when no response came.
   */
  readonly bodyMs?: number;
  /**
   * Set when this answer came to the request sent a second time, after its first connection closed
   * before any answer (an idempotent request, RFC 9112 §9.3.1): the first attempt's error.
   */
  readonly resentAfterClose?: string;
}

/** A control character other than tab, line feed and carriage return. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/;

/** How much of a body an excerpt keeps. */
export const EXCERPT_BYTES = 2048;

/** Makes a body's excerpt: the body (or its beginning) and, when cut, the whole body's length. */
export type ExcerptMaker = (body: Buffer | string | undefined, totalBytes?: number) => string;

/**
 * A maker of short printable excerpts of bodies, with every secret replaced in the bytes before
 * they are cut or encoded (a token inside a binary body must not survive as base64). The secrets'
 * pattern is built once, for a client that excerpts every exchange.
 */
export function excerptMaker(secrets: readonly string[]): ExcerptMaker {
  const redact = bytesRedactor(secrets);
  // A secret that starts inside the excerpt is replaced whole, also when it ends past its cut.
  const overlap = Math.max(0, ...secrets.map((secret) => Buffer.byteLength(encodeURIComponent(secret))));
  return (body, totalBytes) => {
    if (body === undefined || body.length === 0) return '';
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    const length = totalBytes ?? bytes.length;
    const head = redact(bytes.subarray(0, EXCERPT_BYTES + overlap)).subarray(0, EXCERPT_BYTES);
    const text = head.toString('utf8');
    // Control characters other than tab and line breaks mark binary data.
    const printable = !text.includes('\uFFFD') && !CONTROL_CHARACTER.test(text);
    const more = length > EXCERPT_BYTES ? ` … (${length} bytes in all)` : '';
    return printable
      ? `${text}${more}`
      : `<${length} bytes, base64: ${head.toString('base64')}${more ? '…' : ''}>`;
  };
}

/** A short printable excerpt of a body, secrets replaced (see excerptMaker). */
export function bodyExcerpt(
  body: Buffer | string | undefined,
  secrets: readonly string[] = [],
  /** The whole body's length, when `body` holds only its beginning (a digested body). */
  totalBytes?: number,
): string {
  return excerptMaker(secrets)(body, totalBytes);
}

const shellQuote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

/** The request as a curl command line (already redacted: the token reads `$APIFY_TOKEN`). */
export function renderCurl(exchange: Exchange): string {
  const { method, url, headers, bodyExcerpt: body, bodyBytes } = exchange.request;
  const parts = ['curl', '-i'];
  if (method === 'HEAD') parts.push('--head');
  else if (method !== 'GET') parts.push('-X', method);
  for (const [name, value] of Object.entries(headers)) {
    // Keep the token reference expandable by the shell.
    parts.push(
      '-H',
      value.includes('$APIFY_TOKEN') ? `"${name}: ${value}"` : shellQuote(`${name}: ${value}`),
    );
  }
  if (bodyBytes > 0) {
    const complete = body.length === bodyBytes && !body.startsWith('<');
    parts.push(
      '--data-binary',
      complete ? shellQuote(body) : shellQuote(`<${bodyBytes} bytes: see the report>`),
    );
  }
  parts.push(url.includes('$APIFY_TOKEN') ? `"${url}"` : shellQuote(url));
  return parts.join(' ');
}
