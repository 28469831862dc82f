import {
  ContractViolationError,
  renderCurl,
  type Exchange,
  type ModelViolation,
} from '../../../harness/index.ts';

/** One numbered step of a sequence: the command, its HTTP exchanges, what the model expected and what came. */
export interface TranscriptStep {
  readonly number: number;
  readonly command: string;
  readonly exchanges: Exchange[];
  /** What the command's store and key references resolved to (e.g. `s1 "a"`). */
  target: string;
  expected: string;
  got: string;
}

/**
 * What one command sequence did, step by step, so that a failure carries the whole history that
 * led to it: the numbered steps with their exchanges (for the report's sequence table) and a
 * runnable curl script of every request in order.
 */
export class SequenceTranscript {
  readonly steps: TranscriptStep[] = [];

  /** Starts the next step. */
  begin(command: string): TranscriptStep {
    const step: TranscriptStep = {
      number: this.steps.length + 1,
      command,
      exchanges: [],
      target: '',
      expected: '',
      got: '',
    };
    this.steps.push(step);
    return step;
  }

  /** The failure of `step`: its rule, its message, and the whole sequence as evidence. */
  fail(
    step: TranscriptStep,
    violation: ModelViolation,
    others: readonly ModelViolation[] = [],
  ): ContractViolationError {
    if (!step.got.includes(violation.message))
      step.got = `${step.got ? `${step.got}: ` : ''}${violation.message}`;
    const also =
      others.length > 0 ? ` (and: ${others.map((o) => `[${o.ruleId}] ${o.message}`).join('; ')})` : '';
    return new ContractViolationError({
      ruleId: violation.ruleId,
      operationId: step.exchanges.at(-1)?.operationId,
      message: `step ${step.number} ${step.command}: ${violation.message}${also}\n${this.renderSteps()}`,
      evidence: { sequence: this.table(), curlScript: this.renderCurlScript() },
      exchanges: this.steps.flatMap((s) => s.exchanges),
    });
  }

  /** A failure raised by a response check inside a step, re-raised with the sequence around it. */
  wrap(step: TranscriptStep, error: ContractViolationError): ContractViolationError {
    for (const exchange of error.failure.exchanges)
      if (!step.exchanges.includes(exchange)) step.exchanges.push(exchange);
    step.got = error.failure.message;
    return this.fail(step, { ruleId: error.failure.ruleId, message: error.failure.message });
  }

  /** The numbered steps, each with its requests and answers. */
  renderSteps(): string {
    return this.steps
      .map((step) => {
        const lines = [`  ${step.number}. ${step.command}${step.target ? `  [${step.target}]` : ''}`];
        for (const exchange of step.exchanges) {
          const answer = exchange.response
            ? String(exchange.response.status)
            : `no answer (${exchange.error ?? ''})`;
          lines.push(`       ${exchange.request.method} ${exchange.request.url} → ${answer}`);
        }
        if (step.expected) lines.push(`       expected: ${step.expected}`);
        if (step.got) lines.push(`       got: ${step.got}`);
        return lines.join('\n');
      })
      .join('\n');
  }

  /** Every request of the sequence as a shell script (store ids are those of this run's target). */
  renderCurlScript(): string {
    return [
      '#!/bin/sh',
      '# The failing sequence, request by request (set APIFY_TOKEN first; the store ids are those the',
      '# target gave in this run: against another target, put the ids its creates answer with).',
      ...this.steps.flatMap((step) => [
        `# step ${step.number}: ${step.command}${step.target ? ` [${step.target}]` : ''}`,
        ...step.exchanges.map((exchange) => renderCurl(exchange)),
      ]),
    ].join('\n');
  }

  /** The sequence as rows (step, request, expected by the model, got), for the report's table. */
  table(): { step: number; command: string; requests: string[]; expected: string; got: string }[] {
    return this.steps.map((step) => ({
      step: step.number,
      command: `${step.command}${step.target ? ` [${step.target}]` : ''}`,
      requests: step.exchanges.map(
        (e) => `${e.request.method} ${e.request.url} → ${e.response ? e.response.status : 'no answer'}`,
      ),
      expected: step.expected,
      got: step.got,
    }));
  }
}
