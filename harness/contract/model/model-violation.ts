import type { RuleId } from '../rule-catalog.ts';

/** How an answer departs from what the model allows: the rule it breaks and what was wrong. */
export interface ModelViolation {
  readonly ruleId: RuleId;
  readonly message: string;
}
