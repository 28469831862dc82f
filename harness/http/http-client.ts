import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, errors, Pool, type Dispatcher } from 'undici';
import { answerFirstConnector } from './answer-first-socket.ts';
import { EXCERPT_BYTES, excerptMaker, type Exchange, type ExcerptMaker } from './exchange.ts';
import { secretRedactor } from './redact.ts';
import { parsesAsIs } from './path-as-is.ts';
import { ExchangeError, readAnswer } from './read-answer.ts';

/** How the client talks to a target. */
export interface HttpClientOptions {
  /** The target's base URL, without `/v2`. */
  readonly baseUrl: string;
  readonly token: string | undefined;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  /** Keep-alive connections to the target. */
  readonly connections: number;
  /** Told of every request as `send` starts it (the suites count requests per test and journal store creates). */
  readonly onSend?: (request: HttpRequest) => void;
  /** Sees every exchange as `send` returns it, with its request (the suites journal created stores from it). */
  readonly onExchange?: (exchange: Exchange, request: HttpRequest) => void;
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
  /**
   * Hash the response body (SHA-256) as it arrives and keep only its beginning (what its excerpt
   * needs): a large body is compared by digest without being held (the response cap still applies).
   */
  readonly digestBody?: boolean;
}

/**
 * Longest wait honoured from one 429's Retry-After, and most attempts per call. Every attempt and
 * every wait also fits in the call's budget (the run's --timeout), so a rate-limiting target can
 * never stretch one call past it.
 */
const RETRY_AFTER_MAX_MS = 10_000;
const RATE_LIMIT_ATTEMPTS = 6;
/** The wait when a 429 names none (or an unreadable one). */
const RETRY_AFTER_DEFAULT_MS = 1000;
/** Methods whose request may be sent again when its connection closed before any answer (RFC 9110 §9.2.2). */
const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

function headerRecord(
  entries: readonly (readonly [string, string])[],
  redact: (text: string) => string,
): Record<string, string> {
  // One redaction pass over every name and value, joined by line breaks (a boundary for a short
  // token, as the start and end of each text are): only when it finds a secret is each text
  // redacted on its own. Nothing a secret could hide in is left out of the joined text.
  const joined = entries.map(([name, value]) => `${name}\n${value}`).join('\n');
  const clean = redact(joined) === joined;
  // fromEntries: a header named __proto__ stays a plain own field.
  return Object.fromEntries(clean ? entries : entries.map(([name, value]) => [redact(name), redact(value)]));
}

/**
 * A request's header fields with their values redacted: the Authorization the client adds on its
 * own, the others in one pass as in headerRecord (each only when the pass finds a secret).
 */
function redactedFields(
  headers: Readonly<Record<string, string>>,
  redact: (text: string) => string,
): Record<string, string> {
  const entries = Object.entries(headers);
  const others = entries.filter(([name]) => name !== 'authorization').map(([, value]) => value);
  const joined = others.join('\n');
  const clean = redact(joined) === joined;
  return Object.fromEntries(
    entries.map(([name, value]) => [name, clean && name !== 'authorization' ? value : redact(value)]),
  );
}

/** Strings up to this length are kept for an excerpt made when read; longer ones are excerpted at once. */
const LAZY_STRING_EXCERPT_MAX = 64 * 1024;

const eagerExcerpt =
  (made: string): (() => string) =>
  () =>
    made;

/**
 * An excerpt made when first read and kept: most answers are never shown (only a failure's are),
 * so their excerpt, redaction included, is not made for them; whoever reads one gets it redacted.
 * (For an answer only: its body is kept with the exchange anyway.)
 */
function lazyExcerpt(make: () => string): () => string {
  let made: string | undefined;
  return () => (made ??= make());
}

/** What a 429's Retry-After asks for, in ms (seconds or an HTTP date), before any cap. */
function retryAfterMs(headers: Readonly<Record<string, string>>): number {
  const value = headers['retry-after'];
  if (value === undefined) return RETRY_AFTER_DEFAULT_MS;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - Date.now();
  return Number.isNaN(ms) ? RETRY_AFTER_DEFAULT_MS : Math.max(ms, 0);
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/**
 * The harness's HTTP client: undici with a keep-alive pool, a timeout on every request, a cap on
 * every response body, 429s retried after their Retry-After, and every exchange recorded with the
 * token redacted (header, query and body excerpts).
 */
export class HttpClient {
  readonly options: HttpClientOptions;
  readonly #agent: Agent;
  /**
   * The target's connections (undici's Agent, through which they went before, drops its whole pool
   * for an origin when a connection closes, as each one does after HEAD: every HEAD then cost a new
   * pool, its client and a connection, and the next requests more connections still).
   */
  readonly #pool: Pool;
  /** The target's origin (`http://host:port`) and what its base URL adds before every path. */
  readonly #origin: string;
  readonly #secrets: string[];
  readonly #redact: (text: string) => string;
  readonly #excerpt: ExcerptMaker;
  /**
   * What a digested body keeps: EXCERPT_BYTES, and enough past them to redact a secret that starts
   * inside the excerpt (as the excerpt does).
   */
  readonly #digestKeep: number;

  constructor(options: HttpClientOptions) {
    this.options = options;
    this.#secrets = options.token ? [options.token] : [];
    this.#redact = secretRedactor(this.#secrets);
    this.#excerpt = excerptMaker(this.#secrets);
    this.#digestKeep =
      EXCERPT_BYTES +
      Math.max(0, ...this.#secrets.map((secret) => Buffer.byteLength(encodeURIComponent(secret))));
    const dispatcherOptions = {
      connections: options.connections,
      keepAliveTimeout: 10_000,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      // A failed body write never ends an exchange; the answer the target sent is read (see there).
      connect: answerFirstConnector(options.timeoutMs),
    };
    this.#agent = new Agent(dispatcherOptions);
    this.#origin = new URL(options.baseUrl).origin;
    this.#pool = new Pool(this.#origin, dispatcherOptions);
  }

  /** Redacts the run's token (and any other secret the client was given). */
  redact(text: string): string {
    return this.#redact(text);
  }

  /**
   * Sends a request (through `dispatcher` when given, e.g. a one-connection client); a 429 is
   * retried after its Retry-After (capped at RETRY_AFTER_MAX_MS) while the call's budget of
   * `timeoutMs` lasts. When the budget or the attempts run out, the exchange
   * has no response and its error says how often the target answered 429 and what it asked for.
   */
  async send(input: HttpRequest, dispatcher?: Dispatcher): Promise<Exchange> {
    this.options.onSend?.(input);
    const exchange = await this.#sendWithinBudget(input, dispatcher);
    this.options.onExchange?.(exchange, input);
    return exchange;
  }

  async #sendWithinBudget(input: HttpRequest, dispatcher: Dispatcher | undefined): Promise<Exchange> {
    const deadline = performance.now() + this.options.timeoutMs;
    const replayable =
      input.body === undefined || typeof input.body === 'string' || Buffer.isBuffer(input.body);
    let waitedMs = 0;
    let resentAfterClose: string | undefined;
    for (let attempt = 1; ; attempt += 1) {
      const budgetMs = attempt === 1 ? this.options.timeoutMs : Math.max(1, deadline - performance.now());
      const sent = await this.#sendOnce(input, budgetMs, dispatcher);
      const { closedBeforeAnswer } = sent;
      // RFC 9112 §9.3.1: a connection may close at any time; a client may retry an idempotent
      // request whose connection closed before any answer (an idle keep-alive connection the
      // target closed as the request went out). Once per call, within its budget: a target that
      // drops the request again is reported as it is.
      if (
        closedBeforeAnswer &&
        resentAfterClose === undefined &&
        replayable &&
        IDEMPOTENT_METHODS.has(input.method.toUpperCase()) &&
        deadline - performance.now() > 1
      ) {
        resentAfterClose = sent.exchange.error;
        continue;
      }
      const exchange: Exchange =
        resentAfterClose === undefined ? sent.exchange : { ...sent.exchange, resentAfterClose };
      if (exchange.response?.status !== 429 || !replayable) return exchange;
      const askedMs = retryAfterMs(exchange.response.headers);
      const waitMs = Math.min(askedMs, RETRY_AFTER_MAX_MS);
      const leftMs = deadline - performance.now();
      if (attempt >= RATE_LIMIT_ATTEMPTS || waitMs >= leftMs) {
        const asked = exchange.response.headers['retry-after'];
        return {
          ...exchange,
          response: undefined,
          error: this.redact(
            `rate limited: answered 429 to ${attempt} attempt(s) within the ${this.options.timeoutMs} ms budget ` +
              `(waited ${seconds(waitedMs)}; last Retry-After ${asked === undefined ? 'absent' : JSON.stringify(asked.slice(0, 40))}` +
              `${askedMs > RETRY_AFTER_MAX_MS ? `, capped at ${seconds(RETRY_AFTER_MAX_MS)}` : ''}` +
              `; ${seconds(Math.max(0, leftMs))} of the budget left)`,
          ),
        };
      }
      await sleep(waitMs);
      waitedMs += waitMs;
    }
  }

  async #sendOnce(
    input: HttpRequest,
    timeoutMs: number,
    dispatcher: Dispatcher | undefined,
  ): Promise<{ exchange: Exchange; closedBeforeAnswer: boolean }> {
    const token = input.token ?? this.options.token;
    // Only the run's token is a secret. A token a test sends in place of it (a made-up wrong one,
    // for the auth rules) is not redacted: a short one such as "-" would rewrite the very headers
    // and URLs the checks read.
    const redact = this.#redact;
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
    const excerpt = this.#excerpt;
    // The excerpt is made when first read (most never are), from what it needs taken now: a
    // string as it is (immutable; a long one's excerpt is made at once, so that the exchange does
    // not keep it alive), a Buffer's first bytes copied (the caller may reuse the buffer it sent).
    const sentHead = Buffer.isBuffer(sentBody)
      ? Buffer.from(sentBody.subarray(0, this.#digestKeep))
      : undefined;
    const sentExcerpt =
      typeof sentBody === 'string'
        ? sentBody.length <= LAZY_STRING_EXCERPT_MAX
          ? lazyExcerpt(() => redact(excerpt(sentBody)))
          : eagerExcerpt(redact(excerpt(sentBody)))
        : sentHead
          ? lazyExcerpt(() => redact(excerpt(sentHead, bodyBytes)))
          : eagerExcerpt('<streamed>');
    const recordedRequest = {
      method: input.method,
      url: redact(url),
      headers: redactedFields(headers, redact),
      get bodyExcerpt() {
        return sentExcerpt();
      },
      bodyBytes,
    };
    const startedAt = new Date();
    const started = performance.now();
    // When the status line and headers arrived: the answer was decided by then (Exchange.bodyMs).
    let headersAt: number | undefined;
    const finish = (
      response: Exchange['response'],
      error: string | undefined,
      closedBeforeAnswer = false,
    ): { exchange: Exchange; closedBeforeAnswer: boolean } => ({
      exchange: {
        operationId: input.operationId,
        request: recordedRequest,
        response,
        error: error === undefined ? undefined : redact(error),
        startedAt: startedAt.toISOString(),
        durationMs: Math.round((performance.now() - started) * 100) / 100,
        ...(response === undefined || headersAt === undefined
          ? {}
          : { bodyMs: Math.floor((performance.now() - headersAt) * 100) / 100 }),
      },
      closedBeforeAnswer,
    });
    try {
      const answer = await readAnswer(
        this.#dispatcherFor(url, dispatcher),
        this.#target(url, input.method, headers, sentBody),
        {
          timeoutMs: Math.ceil(timeoutMs),
          maxBytes: this.options.maxResponseBytes,
          ...(input.digestBody ? { digest: { hash: createHash('sha256'), keep: this.#digestKeep } } : {}),
        },
      );
      headersAt = answer.headersAt;
      if (answer.overCap) {
        return finish(
          undefined,
          `the response body exceeds the cap of ${this.options.maxResponseBytes} bytes (status ${answer.status})`,
        );
      }
      const { received } = answer;
      // Copied into a buffer of its own size: a chunk may be a view into a larger socket read.
      const body = Buffer.concat(answer.chunks);
      const responseHeaders = headerRecord(answer.headers, redact);
      const responseExcerpt = lazyExcerpt(() => redact(excerpt(body, received)));
      return finish(
        {
          status: answer.status,
          headers: responseHeaders,
          body,
          get bodyExcerpt() {
            return responseExcerpt();
          },
          ...(input.digestBody ? { digest: { sha256: answer.digest ?? '', bytes: received } } : {}),
        },
        undefined,
      );
    } catch (thrown) {
      const answered = thrown instanceof ExchangeError && thrown.answered;
      const error = thrown instanceof ExchangeError ? thrown.error : thrown;
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      const timedOut = /timeout|aborted/i.test(reason);
      const code = (error as { code?: unknown } | undefined)?.code;
      // An answer undici cannot parse is named as such, not called "no answer".
      const unreadable = /bad response/.test(reason);
      const closed = code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'EPIPE';
      return finish(
        undefined,
        timedOut
          ? `no complete response within ${Math.round(timeoutMs)} ms (${reason})`
          : unreadable
            ? `an answer that could not be read as HTTP/1.1 (${reason})`
            : closed
              ? `no answer: the target closed the connection before a complete response (${reason})`
              : reason,
        closed && !answered,
      );
    }
  }

  /**
   * Where a request to `url` goes, as undici's `request(url, …)` takes it apart (WHATWG URL: its
   * origin, its path and query): a path under the target's origin that parsing would leave
   * unchanged is taken as it is, without the parse.
   */
  #target(
    url: string,
    method: string,
    headers: Record<string, string>,
    body: HttpRequest['body'],
  ): Dispatcher.DispatchOptions {
    const common = {
      method: method,
      headers,
      ...(body === undefined ? {} : { body }),
    };
    const origin = this.#origin;
    const path = url.slice(origin.length);
    if (url.startsWith(origin) && path.startsWith('/') && parsesAsIs(path))
      return { ...common, origin, path };
    const parsed = new URL(url);
    if (!/^https?:/.test(parsed.origin || parsed.protocol))
      throw new errors.InvalidArgumentError(
        'Invalid URL protocol: the URL must start with `http:` or `https:`.',
      );
    return { ...common, origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
  }

  /** `dispatcher` when given, else the target's pool for its origin and the Agent for any other. */
  #dispatcherFor(url: string, dispatcher: Dispatcher | undefined): Dispatcher {
    if (dispatcher) return dispatcher;
    return url.startsWith(this.#origin) && url.charAt(this.#origin.length) === '/' ? this.#pool : this.#agent;
  }

  async close(): Promise<void> {
    await Promise.all([this.#pool.close(), this.#agent.close()]);
  }
}
