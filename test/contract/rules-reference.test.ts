import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadContract } from '../../harness/index.ts';
import { CLIENT_FAULTS, FAULT_MODES } from '../../proof/faults/fault-modes.ts';
import { RULE_IDS_FILE, ruleIdsFile } from '../../scripts/rule-ids-file.ts';
import { currentRulesReference, rulesReferenceFiles } from '../../scripts/rules-reference-files.ts';

const contract = await loadContract();
const files = await rulesReferenceFiles();
const reference = await currentRulesReference();
const markdown = files['docs/rules.md'];

describe('the rules reference (docs/rules.md)', () => {
  it.each(Object.keys(files))(
    '%s is in step with the catalog, suites and fault modes (npm run docs:rules)',
    (path) => {
      expect(readFileSync(path, 'utf8'), `${path} is stale: run npm run docs:rules`).toBe(
        files[path as keyof typeof files],
      );
    },
  );

  it(`${RULE_IDS_FILE} (RuleId, the union of catalog ids) is in step with spec/rules.yaml (npm run docs:rules)`, async () => {
    expect(readFileSync(RULE_IDS_FILE, 'utf8'), `${RULE_IDS_FILE} is stale: run npm run docs:rules`).toBe(
      await ruleIdsFile(),
    );
  });

  it('has an entry, under its area, for every rule and every profile setting', () => {
    for (const rule of contract.rules.values()) {
      const entry = markdown.indexOf(`\n### ${rule.id}\n`);
      expect(entry, rule.id).toBeGreaterThan(markdown.indexOf(`\n## ${rule.area}\n`));
      expect(markdown.slice(entry), rule.id).toContain(rule.rule);
    }
    for (const setting of contract.profiles.settings.keys()) {
      expect(markdown, setting).toContain(`\n### Setting \`${setting}\`\n`);
    }
  });

  it('links every rule to a public source and lists the suite tests that cite it', () => {
    const rules = reference.areas.flatMap((area) => area.rules);
    expect(rules).toHaveLength(contract.rules.size);
    for (const rule of rules) {
      expect(
        rule.sources.some((source) => source.url?.startsWith('https://')),
        rule.id,
      ).toBe(true);
      for (const test of rule.tests) expect(test.title, rule.id).toContain(rule.id);
    }
    expect(reference.areas.find((area) => area.area === 'KEYS')?.rules[4]?.tests.length).toBeGreaterThan(0);
  });

  it('names, for each rule a fault mode targets, that fault', () => {
    for (const mode of [...FAULT_MODES, ...CLIENT_FAULTS]) {
      expect(mode.targets.length, mode.name).toBeGreaterThan(0);
      for (const target of mode.targets) {
        expect(contract.rules.has(target), `${mode.name} → ${target}`).toBe(true);
        const entry = markdown.slice(markdown.indexOf(`\n### ${target}\n`));
        expect(entry.slice(0, entry.indexOf('\n### ', 1)), target).toContain(`\`${mode.name}\``);
      }
    }
  });

  it('lists with each setting the rules that depend on it, through `when` or an inference', () => {
    const dependents = (name: string) => reference.settings.find((setting) => setting.name === name)?.rules;
    expect(dependents('consistency')).toEqual(
      expect.arrayContaining(['KVS-CONS-001', 'KVS-CONS-002', 'KVS-CONS-003']),
    );
    expect(dependents('listLimitAboveMax')).toEqual(['KVS-PAGE-007', 'KVS-KEYS-010']);
  });
});
