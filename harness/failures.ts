import type { RuleId } from './contract/rule-catalog.ts';
import { renderCurl, type Exchange } from './http/exchange.ts';

/** A contract violation by a target: never a tool error (see errors.ts for those). */
export interface Failure {
  readonly ruleId: RuleId;
  readonly operationId: string | undefined;
  readonly message: string;
  /** Machine-readable evidence (e.g. ajv instance and schema paths, expected vs received). */
  readonly evidence: Readonly<Record<string, unknown>>;
  readonly exchanges: readonly Exchange[];
}

/** A failure as the report keeps it: plain data (exchanges rendered, already redacted), safe to serialize. */
export interface FailureEvidence {
  readonly ruleId: string;
  readonly operationId: string | undefined;
  readonly message: string;
  readonly evidence: Readonly<Record<string, unknown>>;
  readonly exchanges: readonly {
    readonly curl: string;
    readonly method: string;
    readonly url: string;
    readonly status: number | undefined;
    readonly error: string | undefined;
    readonly responseHeaders: Readonly<Record<string, string>>;
    readonly responseExcerpt: string;
    readonly durationMs: number;
  }[];
}

/** The key under which a serialized ContractViolationError carries its FailureEvidence. */
export const FAILURE_EVIDENCE_KEY = 'kvsFailure';

/**
 * Where a serialized ContractViolationError carries when it was raised (performance.now() of its
 * worker), so the evidence recorder can tell which client driver call found it.
 */
export const RAISED_AT_KEY = 'kvsRaisedAt';

/** The report's plain-data form of one exchange. */
export const exchangeEvidence = (exchange: Exchange): FailureEvidence['exchanges'][number] => ({
  curl: renderCurl(exchange),
  method: exchange.request.method,
  url: exchange.request.url,
  status: exchange.response?.status,
  error: exchange.error,
  responseHeaders: exchange.response?.headers ?? {},
  responseExcerpt: exchange.response?.bodyExcerpt ?? '',
  durationMs: exchange.durationMs,
});

/** The report's plain-data form of a failure. */
export function failureEvidence(failure: Failure): FailureEvidence {
  return {
    ruleId: failure.ruleId,
    operationId: failure.operationId,
    message: failure.message,
    evidence: failure.evidence,
    exchanges: failure.exchanges.map(exchangeEvidence),
  };
}

/**
 * Thrown by checks and drivers when a target violates a rule, so fast-check shrinks the case and
 * vitest reports it. The message starts with `[RULE-ID]` and ends with the curl lines; the failure
 * itself travels as a value: in process as `failure`, and across vitest's worker boundary as the
 * FailureEvidence its `toJSON` puts under FAILURE_EVIDENCE_KEY (the worker-side recorder moves it
 * into the test's meta before the error is printed).
 */
export class ContractViolationError extends Error {
  override readonly name = 'ContractViolationError';
  readonly failure: Failure;
  /** When it was raised (performance.now()). */
  readonly raisedAt = performance.now();

  constructor(failure: Failure) {
    const curl = failure.exchanges.map((exchange) => `  ${renderCurl(exchange)}`).join('\n');
    const responses = failure.exchanges
      .map((exchange) =>
        exchange.response
          ? `  → ${exchange.response.status} ${exchange.response.bodyExcerpt.slice(0, 300)}`
          : `  → no response: ${exchange.error ?? 'unknown'}`,
      )
      .join('\n');
    super(`[${failure.ruleId}] ${failure.message}${curl ? `\n${curl}\n${responses}` : ''}`);
    this.failure = failure;
    // Not enumerable: the message already tells it, and test runners print enumerable fields in full.
    Object.defineProperty(this, 'failure', { enumerable: false });
    Object.defineProperty(this, 'raisedAt', { enumerable: false });
  }

  /** What crosses the worker boundary: message, stack and the failure as plain data (no bodies). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      stack: this.stack,
      [FAILURE_EVIDENCE_KEY]: failureEvidence(this.failure),
      [RAISED_AT_KEY]: this.raisedAt,
    };
  }
}

/** Throws a ContractViolationError unless `condition` holds. */
export function expectRule(
  condition: boolean,
  ruleId: RuleId,
  message: string,
  exchanges: readonly Exchange[] = [],
  evidence: Readonly<Record<string, unknown>> = {},
): asserts condition {
  if (!condition) {
    throw new ContractViolationError({
      ruleId,
      operationId: exchanges.at(-1)?.operationId,
      message,
      evidence,
      exchanges,
    });
  }
}
