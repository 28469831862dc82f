import { describe, expect, it } from 'vitest';
import { loadContract, resolveProfileSettings, RULE_ID_PATTERN, ruleApplies } from '../../harness/index.ts';

const contract = await loadContract();
const rules = [...contract.rules.values()];

describe('the rule catalog', () => {
  it('has unique, well-formed ids numbered without gaps within each area', () => {
    expect(new Set(rules.map((rule) => rule.id)).size).toBe(rules.length);
    for (const area of contract.areas.keys()) {
      const numbers = rules
        .filter((rule) => rule.area === area)
        .map((rule) => Number(RULE_ID_PATTERN.exec(rule.id)?.[2]));
      expect(numbers, area).toEqual(numbers.map((_, index) => index + 1));
    }
  });

  it('cites only defined operations and declared areas, with a level, a sentence and a public source', () => {
    for (const rule of rules) {
      expect(contract.areas.has(rule.area), rule.id).toBe(true);
      expect(['MUST', 'SHOULD'], rule.id).toContain(rule.level);
      expect(rule.rule, rule.id).toMatch(/\.$/);
      expect(
        rule.source.filter((source) => source.kind !== 'inference').map((source) => source.url),
        rule.id,
      ).toContainEqual(expect.stringMatching(/^https:\/\//));
      for (const operationId of rule.operations)
        expect(contract.operations.has(operationId), `${rule.id} ${operationId}`).toBe(true);
    }
  });

  it('covers every operation with at least one rule', () => {
    const cited = new Set(rules.flatMap((rule) => rule.operations));
    expect([...contract.operations.keys()].filter((id) => !cited.has(id))).toEqual([]);
  });

  it('applies consistency rules by profile: strong-only and eventual-only rules switch with the setting', () => {
    const strong = resolveProfileSettings(contract.profiles);
    const eventual = resolveProfileSettings(contract.profiles, { preset: 'legacy-2020' });
    expect(ruleApplies(contract.rule('KVS-CONS-002'), strong)).toBe(true);
    expect(ruleApplies(contract.rule('KVS-CONS-002'), eventual)).toBe(false);
    expect(ruleApplies(contract.rule('KVS-CONS-003'), eventual)).toBe(true);
    expect(ruleApplies(contract.rule('KVS-CONS-005'), strong)).toBe(true);
  });
});
