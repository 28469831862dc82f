import { EXCERPT_BYTES, excerptMaker, type Exchange } from '../http/exchange.ts';
import { secretRedactor } from '../http/redact.ts';
import type { DriverAnswer, DriverRequest } from './kvs-driver.ts';

/** Header values as a driver may give them (Node's, fetch's, axios's), one string each. */
type LooseHeaders = DriverRequest['headers'];

/**
 * The beginning of a body, copied (a view would keep a large body alive with the exchange), and
 * its whole length: only an excerpt of it is ever shown.
 */
function bodyHead(body: string | Uint8Array | undefined): { head: Buffer; bytes: number } {
  if (body === undefined) return { head: Buffer.alloc(0), bytes: 0 };
  const bytes = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  // Past the excerpt: room to redact a secret that starts inside it (as the excerpt does).
  const keep = EXCERPT_BYTES + 512;
  const head =
    typeof body === 'string'
      ? Buffer.from(body.slice(0, keep))
      : Buffer.from(body.subarray(0, Math.min(keep, body.byteLength)));
  return { head, bytes };
}

/** One request a client driver made and its answer, kept raw: rendered (and redacted) only when shown. */
export interface DriverExchange {
  readonly request: DriverRequest & { readonly head: Buffer; readonly bytes: number };
  readonly answer: DriverAnswer & { readonly head: Buffer; readonly bytes: number };
  readonly startedAt: number;
  readonly durationMs: number;
}

/**
 * Starts the record of one request a driver told of: the returned function takes its answer and
 * hands the finished DriverExchange to `done`. The request is read when its answer comes (a
 * library may still add headers or compress the body after telling of it); only the beginning of
 * each body is kept.
 */
export function recordDriverRequest(
  request: DriverRequest,
  done: (exchange: DriverExchange) => void,
): (answer: DriverAnswer) => void {
  const started = performance.now();
  return (answer) => {
    const { body: answerBody, ...answerRest } = answer;
    done({
      request: {
        method: request.method,
        url: request.url,
        ...(request.headers === undefined ? {} : { headers: { ...request.headers } }),
        ...bodyHead(request.body),
      },
      answer: { ...answerRest, ...bodyHead(answerBody) },
      startedAt: started,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
    });
  };
}

/** Header values as one string each, names lower-cased, every secret replaced. */
function headerRecord(headers: LooseHeaders, redact: (text: string) => string): Record<string, string> {
  const entries: [string, string][] = [];
  for (const [name, value] of Object.entries(headers ?? {}))
    if (value !== undefined)
      entries.push([
        redact(name.toLowerCase()),
        redact(Array.isArray(value) ? value.join(', ') : String(value)),
      ]);
  return Object.fromEntries(entries);
}

/**
 * A driver's exchanges as the report shows every exchange (Exchange: curl line, status, headers,
 * body excerpts), with the run's token replaced in every part (`$APIFY_TOKEN`).
 */
export function renderDriverExchanges(
  exchanges: readonly DriverExchange[],
  token: string | undefined,
): Exchange[] {
  const secrets = token ? [token] : [];
  const redact = secretRedactor(secrets);
  const excerpt = excerptMaker(secrets);
  return exchanges.map(({ request, answer, startedAt, durationMs }) => ({
    operationId: undefined,
    request: {
      method: request.method.toUpperCase(),
      url: redact(request.url),
      headers: headerRecord(request.headers, redact),
      bodyExcerpt: redact(excerpt(request.head, request.bytes)),
      bodyBytes: request.bytes,
    },
    response:
      answer.status === undefined
        ? undefined
        : {
            status: answer.status,
            headers: headerRecord(answer.headers, redact),
            body: Buffer.alloc(0),
            bodyExcerpt: redact(excerpt(answer.head, answer.bytes)),
          },
    error: answer.error === undefined ? undefined : redact(answer.error),
    startedAt: new Date(performance.timeOrigin + startedAt).toISOString(),
    durationMs,
  }));
}
