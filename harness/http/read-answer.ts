import type { Hash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { util, type Dispatcher } from 'undici';

/** How one answer is read: the request's deadline, the body's cap, and what a digested body keeps. */
export interface AnswerLimits {
  readonly timeoutMs: number;
  /** The most body bytes read: one byte more ends the exchange (the connection is dropped). */
  readonly maxBytes: number;
  /** Hash the body as it arrives and keep only its first `keep` bytes (HttpRequest.digestBody). */
  readonly digest?: { readonly hash: Hash; readonly keep: number };
}

/** One answer as read from the wire, before the client records it. */
export interface ReadAnswer {
  readonly status: number;
  /** Header names lower-cased, in the order first seen; repeated fields joined by `, `. */
  readonly headers: readonly (readonly [string, string])[];
  /** The body (or, digested, its beginning), in its chunks as received. */
  readonly chunks: readonly Buffer[];
  /** The body's length as received (all of it, digested or not). */
  readonly received: number;
  /** When the status line and headers arrived (performance.now()). */
  readonly headersAt: number;
  /** The body went past `maxBytes`: reading stopped there and the connection was dropped. */
  readonly overCap: boolean;
  /** With AnswerLimits.digest: the whole body's SHA-256 (hex). */
  readonly digest?: string;
}

/** An error that ended an exchange, and whether an answer (status line and headers) had come. */
export class ExchangeError extends Error {
  readonly error: unknown;
  readonly answered: boolean;

  constructor(error: unknown, answered: boolean) {
    super(error instanceof Error ? error.message : String(error));
    this.error = error;
    this.answered = answered;
  }
}

/**
 * Sends one request on `dispatcher` and reads its answer with an undici handler of its own: the
 * body's chunks as they arrive, with no response stream in between (undici's `request()` makes a
 * Readable, an async resource and a promise per answer; bench/RESULTS.md, #28). Interim 1xx
 * answers are skipped as `request()` skips them. After `timeoutMs` the request is aborted with a
 * TimeoutError wherever it is (queued, sent, or mid-body), as an AbortSignal.timeout would. Rejects
 * with an ExchangeError carrying undici's error.
 */
export function readAnswer(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
  limits: AnswerLimits,
): Promise<ReadAnswer> {
  return new Promise((resolve, reject) => {
    let abort: ((reason: Error) => void) | undefined;
    let timedOut: Error | undefined;
    let settled = false;
    let status = 0;
    let headersAt = 0;
    let headers: [string, string][] = [];
    const chunks: Buffer[] = [];
    let received = 0;
    const { maxBytes, digest } = limits;
    const timer = setTimeout(() => {
      timedOut = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
      abort?.(timedOut);
    }, limits.timeoutMs);
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      return true;
    };
    const body = options.body;
    const handler: Dispatcher.DispatchHandler = {
      onConnect(abortRequest) {
        abort = abortRequest;
        if (timedOut) abortRequest(timedOut);
      },
      onHeaders(statusCode, rawHeaders) {
        if (statusCode < 200) return true;
        status = statusCode;
        headersAt = performance.now();
        headers = headerEntries(rawHeaders);
        return true;
      },
      onData(chunk) {
        if (settled) return false;
        received += chunk.length;
        if (received > maxBytes) {
          settle();
          resolve({ status, headers, chunks, received, headersAt, overCap: true });
          abort?.(new Error(`the response body exceeds the cap of ${maxBytes} bytes`));
          return false;
        }
        if (digest === undefined) chunks.push(chunk);
        else {
          digest.hash.update(chunk);
          const kept = received - chunk.length;
          if (kept < digest.keep) chunks.push(chunk.subarray(0, digest.keep - kept));
        }
        return true;
      },
      onComplete() {
        if (settle())
          resolve({
            status,
            headers,
            chunks,
            received,
            headersAt,
            overCap: false,
            ...(digest ? { digest: digest.hash.digest('hex') } : {}),
          });
      },
      onError(error) {
        // As undici's request(): a request body still streaming is destroyed with the error.
        if (isStream(body) && !body.destroyed) {
          body.on('error', () => undefined);
          body.destroy(error);
        }
        if (settle()) reject(new ExchangeError(error, status !== 0));
      },
    };
    dispatcher.dispatch(options, handler);
  });
}

const isStream = (body: unknown): body is Readable =>
  typeof body === 'object' && body !== null && typeof (body as Readable).pipe === 'function';

/**
 * A response's header fields from undici's raw list (name, value, …): names lower-cased as
 * undici's parseHeaders does, values read as latin1, a repeated field's values joined by `, `.
 */
function headerEntries(raw: readonly (Buffer | string | string[])[]): [string, string][] {
  const entries: [string, string][] = [];
  const at = new Map<string, number>();
  for (let index = 0; index + 1 < raw.length; index += 2) {
    const name = util.headerNameToString(raw[index] as Buffer | string);
    const field = raw[index + 1];
    const value =
      typeof field === 'string'
        ? field
        : Array.isArray(field)
          ? field.join(', ')
          : (field as Buffer).toString('latin1');
    const seen = at.get(name);
    const entry = seen === undefined ? undefined : entries[seen];
    if (entry) entry[1] = `${entry[1]}, ${value}`;
    else {
      at.set(name, entries.length);
      entries.push([name, value]);
    }
  }
  return entries;
}
