import type { RuleId } from './contract/rule-catalog.ts';
import { renderCurl, type Exchange } from './http/exchange.ts';
import { noteFailure } from './runner/run-evidence.ts';

/** A contract violation by a target: never a tool error (see errors.ts for those). */
export interface Failure {
  readonly ruleId: RuleId;
  readonly operationId: string | undefined;
  readonly message: string;
  /** Machine-readable evidence (e.g. ajv instance and schema paths, expected vs received). */
  readonly evidence: Readonly<Record<string, unknown>>;
  readonly exchanges: readonly Exchange[];
}

/** The marker the verdict reporter reads a rule id from in a failure's message. */
export const RULE_MARKER = /\[(KVS-[A-Z]+-\d{3})\]/;

/**
 * Thrown by checks and drivers when a target violates a rule, so fast-check shrinks the case and
 * vitest reports it. The message starts with `[RULE-ID]` and ends with the curl lines.
 */
export class ContractViolationError extends Error {
  override readonly name = 'ContractViolationError';
  readonly failure: Failure;

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
    noteFailure(this.message, failure);
    // Not enumerable: the message already tells it, and test runners print enumerable fields in full.
    Object.defineProperty(this, 'failure', { enumerable: false });
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
