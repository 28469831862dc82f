import { bodyExcerpt } from '../http/exchange.ts';
import { ContractViolationError } from '../failures.ts';
import { secretRedactor } from '../http/redact.ts';
import type { DriverAnswer, DriverFactoryContext } from './kvs-driver.ts';

/** A request as the watch remembers it. */
interface Sent {
  readonly method: string;
  readonly url: string;
}

/** An answer that has no body by definition: to HEAD, or 1xx, 204, 304 (RFC 9110 §6.4.1). */
const bodyless = (method: string, status: number): boolean =>
  method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200);

/**
 * The bytes an HTTP parser refused, when its error carries them: Node's parse errors have
 * `rawPacket` (kept by the apify-client driver), undici's HTTPParserError `data`; searched along
 * the cause chain. Undefined for an error that is no parse error.
 */
function refusedBytes(error: unknown): Buffer | undefined {
  for (let link: unknown = error, depth = 0; link instanceof Object && depth < 4; depth += 1) {
    const { code, rawPacket, data, name } = link as Record<string, unknown>;
    const parseError = (typeof code === 'string' && code.startsWith('HPE_')) || name === 'HTTPParserError';
    if (parseError && Buffer.isBuffer(rawPacket)) return rawPacket;
    if (parseError && typeof data === 'string') return Buffer.from(data, 'latin1');
    link = (link as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The status line's code and what follows the head, when `bytes` start with an HTTP/1.x head. */
function splitHead(bytes: Buffer): { status: number; after: Buffer } | undefined {
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(bytes.subarray(0, 16).toString('latin1'))?.[1];
  const end = bytes.indexOf('\r\n\r\n');
  return status === undefined || end === -1
    ? undefined
    : { status: Number(status), after: bytes.subarray(end + 4) };
}

/**
 * Watches one client driver's requests and answers (through its onRequest) for the answer that
 * desyncs a kept-alive connection: one with no body by definition (to HEAD, a 204) that came with
 * bytes after its head. The library's HTTP parser refuses those bytes as the start of the next
 * answer, and the call fails on whatever rule it was checking. When the parser's error carries the
 * bytes it refused and they show such an answer (its head, then more bytes), or stray bytes right
 * after one, the failure is KVS-SCHEMA-006's ("A 204 response, and every response to HEAD, has an
 * empty body"), not the call's own rule: one detail must never hide other rules.
 */
export class StrayBodyWatch {
  /** The last request answered, with its status. */
  #answered: (Sent & { readonly status: number }) | undefined;
  /** The last request that got no answer (the one a parse error ended). */
  #unanswered: Sent | undefined;
  readonly #redact: (text: string) => string;
  readonly #token: string | undefined;

  constructor(token: string | undefined) {
    this.#token = token;
    this.#redact = secretRedactor(token ? [token] : []);
  }

  /** The driver's onRequest, noting each request and answer before `onRequest` is told of them. */
  watching(
    onRequest: NonNullable<DriverFactoryContext['onRequest']>,
  ): NonNullable<DriverFactoryContext['onRequest']> {
    return (request) => {
      const answered = onRequest(request);
      if (!request) return answered;
      return (answer: DriverAnswer) => {
        const sent = { method: request.method.toUpperCase(), url: request.url };
        if (answer.status === undefined) this.#unanswered = sent;
        else this.#answered = { ...sent, status: answer.status };
        answered(answer);
      };
    };
  }

  /**
   * The KVS-SCHEMA-006 violation to throw in place of `error`, when the parser's refused bytes show
   * a bodyless answer's stray body; undefined otherwise (the error stays the call's).
   */
  violationFor(error: unknown, driverName: string): ContractViolationError | undefined {
    const refused = refusedBytes(error);
    if (refused === undefined) return undefined;
    const head = splitHead(refused);
    const request = this.#unanswered;
    const previous = this.#answered;
    let found: string | undefined;
    if (head && request && head.after.length > 0 && bodyless(request.method, head.status))
      found = `answered ${head.status} to ${request.method} ${request.url} and then ${head.after.length} more byte(s) (${this.#excerpt(head.after)})`;
    else if (!head && previous && bodyless(previous.method, previous.status))
      found = `answered ${previous.status} to ${previous.method} ${previous.url}, and the next answer on the kept-alive connection began with ${this.#excerpt(refused)}, not with a status line`;
    if (found === undefined) return undefined;
    // The stray bytes went with the connection the parser gave up on.
    this.#unanswered = undefined;
    this.#answered = undefined;
    return new ContractViolationError({
      ruleId: 'KVS-SCHEMA-006',
      operationId: undefined,
      message: this.#redact(
        `${driverName} could not read an answer as HTTP: the target ${found}; an answer to HEAD, or a 204, has no body, so the bytes after its head are read as the start of the next answer`,
      ),
      evidence: { refused: this.#excerpt(refused) },
      exchanges: [],
    });
  }

  #excerpt(bytes: Buffer): string {
    return JSON.stringify(
      bodyExcerpt(bytes.subarray(0, 200), this.#token ? [this.#token] : [], bytes.length),
    );
  }
}
