import type { RuleId } from '../harness/contract/rule-ids.ts';
import { readSuiteIndex } from './suite-index.ts';
import { CODE_EXTENSION } from './code-root.ts';

/**
 * The suite files (relative to CODE_ROOT) that hold a test of the given rules, by the suite index
 * (the tests' rule metadata): a run filtered to a few rules loads only these, not every suite file.
 */
export function suiteFilesCiting(rules: ReadonlySet<string>): string[] {
  const index = readSuiteIndex();
  const files = new Set([...rules].flatMap((rule) => index.get(rule as RuleId) ?? []));
  return [...files].sort().map((file) => file.replace(/\.ts$/, `.${CODE_EXTENSION}`));
}
