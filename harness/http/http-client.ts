import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { bodyExcerpt, type Exchange } from './exchange.ts';
import { redactSecrets } from './redact.ts';

/** How the client talks to a target. */
export interface HttpClientOptions {
  /** The target's base URL, without `/v2`. */
  readonly baseUrl: string;
  readonly token: string | undefined;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  /** Keep-alive connections to the target. */
  readonly connections: number;
}

/** One request to send. */
export interface HttpRequest {
  readonly method: string;
  /** Path with its query, e.g. `/v2/key-value-stores?name=x` (already percent-encoded), or an absolute URL. */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Buffer | string | Readable;
  /** How the token is sent: header (default), `?token=`, or not at all. */
  readonly auth?: 'header' | 'query' | 'none';
  /** Overrides the token for this request (auth tests send wrong ones). */
  readonly token?: string;
  readonly operationId?: string;
}

/** Longest wait honoured from a 429's Retry-After, and how often a 429 is retried. */
const RETRY_AFTER_MAX_MS = 30_000;
const RATE_LIMIT_RETRIES = 5;

function headerRecord(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers)
      .filter((entry): entry is [string, string | string[]] => entry[1] !== undefined)
      .map(([name, value]) => [name.toLowerCase(), Array.isArray(value) ? value.join(', ') : value]),
  );
}

function retryAfterMs(headers: Record<string, string>): number {
  const value = headers['retry-after'];
  if (value === undefined) return 1000;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - Date.now();
  return Math.min(Math.max(ms, 0), RETRY_AFTER_MAX_MS);
}

/**
 * The harness's HTTP client: undici with a keep-alive pool, a timeout on every request, a cap on
 * every response body, 429s retried after their Retry-After, and every exchange recorded with the
 * token redacted (header, query and body excerpts).
 */
export class HttpClient {
  readonly options: HttpClientOptions;
  readonly #agent: Agent;
  readonly #secrets: string[];

  constructor(options: HttpClientOptions) {
    this.options = options;
    this.#secrets = options.token ? [options.token] : [];
    this.#agent = new Agent({
      connections: options.connections,
      keepAliveTimeout: 10_000,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
  }

  /** Redacts every secret this client knows (the run token and tokens sent by tests). */
  redact(text: string): string {
    return redactSecrets(text, this.#secrets);
  }

  async send(input: HttpRequest): Promise<Exchange> {
    for (let attempt = 0; ; attempt += 1) {
      const exchange = await this.#sendOnce(input);
      const status = exchange.response?.status;
      const replayable =
        input.body === undefined || typeof input.body === 'string' || Buffer.isBuffer(input.body);
      if (status !== 429 || attempt >= RATE_LIMIT_RETRIES || !replayable || !exchange.response)
        return exchange;
      await sleep(retryAfterMs(exchange.response.headers));
    }
  }

  async #sendOnce(input: HttpRequest): Promise<Exchange> {
    const token = input.token ?? this.options.token;
    if (input.token && !this.#secrets.includes(input.token)) this.#secrets.push(input.token);
    const auth = input.auth ?? 'header';
    const headers: Record<string, string> = { ...input.headers };
    let path = input.path;
    if (token && auth === 'header') headers.authorization = `Bearer ${token}`;
    if (token && auth === 'query')
      path += `${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
    // An absolute URL (a followed redirect) is used as it is; a path is joined to the target.
    const url = /^https?:\/\//.test(path) ? path : `${this.options.baseUrl}${path}`;
    const sentBody = input.body;
    const bodyBytes =
      typeof sentBody === 'string'
        ? Buffer.byteLength(sentBody)
        : Buffer.isBuffer(sentBody)
          ? sentBody.length
          : Number(headers['content-length'] ?? -1);
    const recordedRequest = {
      method: input.method,
      url: this.redact(url),
      headers: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, this.redact(value)])),
      bodyExcerpt:
        typeof sentBody === 'string' || Buffer.isBuffer(sentBody)
          ? this.redact(bodyExcerpt(sentBody))
          : '<streamed>',
      bodyBytes,
    };
    const startedAt = new Date();
    const started = performance.now();
    const finish = (response: Exchange['response'], error: string | undefined): Exchange => ({
      operationId: input.operationId,
      request: recordedRequest,
      response,
      error: error === undefined ? undefined : this.redact(error),
      startedAt: startedAt.toISOString(),
      durationMs: Math.round((performance.now() - started) * 100) / 100,
    });
    try {
      const response = await request(url, {
        dispatcher: this.#agent,
        method: input.method as 'GET',
        headers,
        ...(sentBody === undefined ? {} : { body: sentBody }),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      const chunks: Buffer[] = [];
      let received = 0;
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        received += chunk.length;
        if (received > this.options.maxResponseBytes) {
          response.body.destroy();
          return finish(
            undefined,
            `the response body exceeds the cap of ${this.options.maxResponseBytes} bytes (status ${response.statusCode})`,
          );
        }
        chunks.push(chunk);
      }
      const body = Buffer.concat(chunks, received);
      const responseHeaders = headerRecord(response.headers);
      return finish(
        {
          status: response.statusCode,
          headers: responseHeaders,
          body,
          bodyExcerpt: this.redact(bodyExcerpt(body)),
        },
        undefined,
      );
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      const timedOut = /timeout|aborted/i.test(reason);
      return finish(
        undefined,
        timedOut ? `no complete response within ${this.options.timeoutMs} ms (${reason})` : reason,
      );
    }
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }
}
