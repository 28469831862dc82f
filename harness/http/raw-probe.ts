import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { excerptMaker, type Exchange, type RecordedResponse } from './exchange.ts';
import type { HttpClient, HttpRequest } from './http-client.ts';

/**
 * How long the probe waits for more bytes after the answer's head (and after each later chunk)
 * when the target keeps the connection open although the probe asked it to close: bytes that
 * come later than this are not seen (a missed violation, never a false one).
 */
export const PROBE_QUIET_MS = 1000;

/** The longest answer head read (undici's default limit of header bytes is 16 KiB). */
const MAX_HEAD_BYTES = 64 * 1024;

/** One request the probe sends: no body, the run's token in the Authorization header. */
export interface RawProbeRequest {
  readonly method: string;
  /** Path with its query, percent-encoded, joined to the target's base URL. */
  readonly path: string;
  readonly operationId?: string;
}

/** How the probe's reading ended once the answer's head had arrived. */
export type RawProbeEnd = 'closed' | 'reset' | 'quiet' | 'timeout' | 'cap';

/** What the probe saw: the exchange, and what came on the connection after the answer's head. */
export interface RawProbeResult {
  /**
   * The exchange, redacted, as every failure shows it; the response's body is every byte received
   * after the final answer's head (up to the response cap), whatever the status or the method.
   */
  readonly exchange: Exchange;
  /** The final answer's HTTP version (`1.1`, `1.0`); undefined when no head was read. */
  readonly httpVersion: string | undefined;
  /** The statuses of interim 1xx answers read before the final one. */
  readonly interim: readonly number[];
  /** How many bytes came after the final answer's head (all of them, also past the cap). */
  readonly bytesAfterHead: number;
  /** How the reading ended; undefined when no head was read (`exchange.error` says why). */
  readonly ended: RawProbeEnd | undefined;
}

interface AnswerHead {
  readonly version: string;
  readonly status: number;
  readonly headers: Record<string, string>;
}

/** The end of a head: a blank line (RFC 9112 §2.2: a recipient may take a bare LF as a line end). */
const HEAD_END = /\r?\n\r?\n/;

/** An answer head's status line and fields, header names lower-cased, repeated fields joined. */
function parseHead(text: string): AnswerHead | undefined {
  const [statusLine = '', ...lines] = text.split(/\r?\n/);
  const match = /^HTTP\/(\d\.\d) (\d{3})(?: .*)?$/.exec(statusLine);
  if (!match) return undefined;
  const entries = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const before = entries.get(name);
    entries.set(name, before === undefined ? value : `${before}, ${value}`);
  }
  return { version: match[1] ?? '', status: Number(match[2]), headers: Object.fromEntries(entries) };
}

/**
 * Sends one request without a body on a socket of its own (TCP or TLS, as the target's URL says),
 * with `Connection: close`, the Host and the run's token as the harness client sends it, and reads
 * the raw answer: interim 1xx answers are skipped (RFC 9110 §15.2), the final answer's head is
 * parsed (HTTP/1.1 or 1.0), and every byte that follows it is kept until the target closes or
 * resets the connection, stays quiet for `quietMs` (a target that ignores `Connection: close`), the
 * client's timeout passes, or the bytes pass the client's response cap. The HTTP client never
 * shows those bytes: it reads no content for HEAD or 204 and, for HEAD, closes the connection
 * after the head, so a body sent there is dropped unseen (a client that keeps the connection reads
 * it as the start of its next answer). The exchange is recorded with the client's redaction (the
 * token appears in no spelling) and told to the client's `onSend`/`onExchange` like any other.
 */
export async function sendRawProbe(
  http: HttpClient,
  input: RawProbeRequest,
  quietMs = PROBE_QUIET_MS,
): Promise<RawProbeResult> {
  const { baseUrl, token, timeoutMs, maxResponseBytes } = http.options;
  const request: HttpRequest = {
    method: input.method,
    path: input.path,
    ...(input.operationId === undefined ? {} : { operationId: input.operationId }),
  };
  http.options.onSend?.(request);
  const url = new URL(`${baseUrl}${input.path}`);
  const headers: Record<string, string> = {
    host: url.host,
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    connection: 'close',
  };
  const wire = [
    `${input.method} ${url.pathname}${url.search} HTTP/1.1`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    '',
    '',
  ].join('\r\n');
  const redact = (text: string): string => http.redact(text);
  const excerpt = excerptMaker(token ? [token] : []);
  const startedAt = new Date();
  const started = performance.now();

  const read = await new Promise<{
    head: AnswerHead | undefined;
    interim: number[];
    after: Buffer;
    afterBytes: number;
    ended: RawProbeEnd | undefined;
    error: string | undefined;
  }>((resolve) => {
    const interim: number[] = [];
    const kept: Buffer[] = [];
    let pending = Buffer.alloc(0);
    let head: AnswerHead | undefined;
    let afterBytes = 0;
    let quiet: NodeJS.Timeout | undefined;
    let done = false;
    const https = url.protocol === 'https:';
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = Number(url.port) || (https ? 443 : 80);
    const socket: Socket = https
      ? connectTls({
          host,
          port,
          ALPNProtocols: ['http/1.1'],
          ...(/^[\d.:]+$/.test(host) ? {} : { servername: host }),
        })
      : connectTcp({ host, port });
    const finish = (ended: RawProbeEnd | undefined, error?: string): void => {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      clearTimeout(quiet);
      socket.destroy();
      const after = Buffer.concat(kept);
      resolve({
        head,
        interim,
        after,
        afterBytes,
        ended: head ? ended : undefined,
        error: head ? undefined : error,
      });
    };
    const deadline = setTimeout(
      () => finish('timeout', `no complete answer head within ${timeoutMs} ms`),
      timeoutMs,
    );
    const keep = (bytes: Buffer): void => {
      if (bytes.length === 0) return;
      const room = maxResponseBytes - afterBytes;
      afterBytes += bytes.length;
      if (room > 0) kept.push(bytes.subarray(0, room));
      if (afterBytes > maxResponseBytes) {
        finish('cap');
        return;
      }
      clearTimeout(quiet);
      quiet = setTimeout(() => finish('quiet'), quietMs);
    };
    socket.on(https ? 'secureConnect' : 'connect', () => socket.write(wire));
    socket.on('data', (chunk: Buffer) => {
      if (head) {
        keep(chunk);
        return;
      }
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        const text = pending.toString('latin1');
        const end = HEAD_END.exec(text);
        if (!end) {
          if (pending.length > MAX_HEAD_BYTES)
            finish(undefined, `an answer head longer than ${MAX_HEAD_BYTES} bytes`);
          return;
        }
        const parsed = parseHead(text.slice(0, end.index));
        if (!parsed) {
          finish(
            undefined,
            `an answer that could not be read as HTTP/1.x (it starts ${JSON.stringify(text.slice(0, 60))})`,
          );
          return;
        }
        // latin1: one character per byte, so the text's offsets are the buffer's.
        pending = pending.subarray(end.index + end[0].length);
        // RFC 9110 §15.2: an interim answer precedes the final one (101 would switch protocols,
        // which the probe never asks for: it is taken as final).
        if (parsed.status >= 100 && parsed.status < 200 && parsed.status !== 101) {
          interim.push(parsed.status);
          continue;
        }
        head = parsed;
        // The quiet period runs from the head on, also when nothing follows it.
        quiet = setTimeout(() => finish('quiet'), quietMs);
        keep(pending);
        return;
      }
    });
    socket.on('end', () =>
      finish('closed', 'no answer: the target closed the connection before an answer head'),
    );
    socket.on('close', () => finish('closed', 'no answer: the connection closed before an answer head'));
    socket.on('error', (error: NodeJS.ErrnoException) =>
      finish(
        error.code === 'ECONNRESET' ? 'reset' : 'closed',
        `no answer: ${error.code ?? error.name}: ${error.message}`,
      ),
    );
  });

  const response: RecordedResponse | undefined = read.head && {
    status: read.head.status,
    headers: Object.fromEntries(
      Object.entries(read.head.headers).map(([name, value]) => [redact(name), redact(value)]),
    ),
    body: read.after,
    bodyExcerpt: redact(excerpt(read.after, read.afterBytes)),
  };
  const exchange: Exchange = {
    operationId: input.operationId,
    request: {
      method: input.method,
      url: redact(url.href),
      headers: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, redact(value)])),
      bodyExcerpt: '',
      bodyBytes: 0,
    },
    response,
    error: read.error === undefined ? undefined : redact(read.error),
    startedAt: startedAt.toISOString(),
    durationMs: Math.round((performance.now() - started) * 100) / 100,
  };
  http.options.onExchange?.(exchange, request);
  return {
    exchange,
    httpVersion: read.head?.version,
    interim: read.interim,
    bytesAfterHead: read.afterBytes,
    ended: read.ended,
  };
}
