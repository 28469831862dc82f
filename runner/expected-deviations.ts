import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { HarnessError } from '../harness/errors.ts';
import { RULE_ID_PATTERN } from '../harness/contract/rule-catalog.ts';
import type { MatrixCell } from '../harness/results/conformance-matrix.ts';

/** One known deviation of a driver: the rule it fails, why, where it is tracked. */
export interface ExpectedDeviation {
  readonly rule: string;
  readonly reason: string;
  readonly link: string;
  /** What the harness found when the entry was written (documentation, not matched). */
  readonly counterexample: string | undefined;
}

/** The expected-deviation manifest: per driver name, the rules it is known to fail. */
export interface ExpectedDeviations {
  readonly file: string;
  readonly entries: ReadonlyMap<string, ReadonlyMap<string, ExpectedDeviation>>;
}

const fail = (file: string, where: string, what: string): never => {
  throw new HarnessError('KVSC_USAGE', `${file}: ${where} ${what}`);
};

/**
 * Reads a manifest of the form `drivers: { <driver name>: [ { rule, reason, link, counterexample? } ] }`;
 * a malformed one is a one-line error naming the file and the entry.
 */
export function loadExpectedDeviations(file: string): ExpectedDeviations {
  let document: unknown;
  try {
    document = parse(readFileSync(file, 'utf8'));
  } catch (error) {
    fail(file, 'could not be read as YAML:', (error as Error).message.split('\n')[0] ?? '');
  }
  const drivers = (document as { drivers?: unknown } | null)?.drivers;
  if (typeof drivers !== 'object' || drivers === null || Array.isArray(drivers))
    fail(file, 'has no `drivers:` map;', 'allowed: drivers: { <driver name>: [ { rule, reason, link } ] }');
  const entries = new Map<string, Map<string, ExpectedDeviation>>();
  for (const [driver, list] of Object.entries(drivers as Record<string, unknown>)) {
    if (!Array.isArray(list)) fail(file, `drivers.${driver}`, 'must be a list of { rule, reason, link }');
    const byRule = new Map<string, ExpectedDeviation>();
    (list as unknown[]).forEach((raw, index) => {
      const entry = raw as Partial<Record<keyof ExpectedDeviation, unknown>>;
      const where = `drivers.${driver}[${index}]`;
      if (typeof entry.rule !== 'string' || !RULE_ID_PATTERN.test(entry.rule))
        fail(file, where, `has rule ${JSON.stringify(entry.rule)}; allowed: a rule id such as KVS-KEYS-005`);
      if (typeof entry.reason !== 'string' || entry.reason === '') fail(file, where, 'needs a reason');
      if (typeof entry.link !== 'string' || entry.link === '') fail(file, where, 'needs a link');
      byRule.set(entry.rule as string, {
        rule: entry.rule as string,
        reason: entry.reason as string,
        link: entry.link as string,
        counterexample: typeof entry.counterexample === 'string' ? entry.counterexample : undefined,
      });
    });
    entries.set(driver, byRule);
  }
  return { file, entries };
}

/**
 * Applies a manifest entry to a judged cell, strictly (pytest's xfail strict): an expected failure
 * that fails is `expected-fail`; one that passes is `unexpectedly-passing`; a failure no entry
 * expects stays `fail`.
 */
export function applyExpectedDeviations(
  judged: MatrixCell,
  expected: ExpectedDeviation | undefined,
): MatrixCell {
  if (expected === undefined) return judged;
  if (judged.verdict === 'fail')
    return { ...judged, verdict: 'expected-fail', reason: expected.reason, link: expected.link };
  if (judged.verdict === 'pass')
    return {
      ...judged,
      verdict: 'unexpectedly-passing',
      reason: `the manifest expects a failure (${expected.reason}); remove the entry`,
      link: expected.link,
    };
  return judged;
}
