import type { Contract } from './load-contract.ts';
import type { RuleId, RuleLevel } from './rule-catalog.ts';
import type { SourceCitation } from './source-citation.ts';

/** One suite test as the reference lists it: its file, title and the rules its meta declares. */
export interface SuiteTest {
  /** The suite file, relative to the package (e.g. suites/records.test.ts). */
  readonly file: string;
  /** The title; a test run once per driver shows its driver as `[driver]`. */
  readonly title: string;
  readonly rules: readonly RuleId[];
}

/** A fault mode of the project's proof, as far as the reference needs it. */
export interface FaultSummary {
  readonly name: string;
  readonly bug: string;
  readonly targets: readonly RuleId[];
}

/** What the project knows about how each rule is checked: the suite tests and the faults that fail it. */
export interface RuleEvidence {
  readonly tests: readonly SuiteTest[];
  readonly faults: readonly FaultSummary[];
}

/** One rule as the reference shows it. */
export interface RuleReferenceEntry {
  readonly id: RuleId;
  /** The fragment of its entry in docs/rules.md. */
  readonly anchor: string;
  readonly level: RuleLevel;
  readonly rule: string;
  readonly operations: readonly string[];
  readonly sources: readonly SourceCitation[];
  /** The profile settings it applies under (empty: every profile). */
  readonly when: readonly { readonly setting: string; readonly values: readonly string[] }[];
  /** Why the rule needs those settings (the catalog's `whenWhy`). */
  readonly whenWhy?: string;
  /** Profile settings its inferences name (what decides an open point of the rule). */
  readonly settings: readonly string[];
  /** What its check judges when other clients share the target, where that matters. */
  readonly others?: string;
  readonly tests: readonly SuiteTest[];
  readonly faults: readonly { readonly name: string; readonly bug: string }[];
}

/** One profile setting as the reference shows it. */
export interface SettingReferenceEntry {
  readonly name: string;
  readonly anchor: string;
  readonly summary: string;
  /** The allowed values with their meaning; for an integer setting, its range as one line. */
  readonly values: readonly { readonly value: string; readonly meaning: string }[];
  readonly default: string | number;
  readonly sources: readonly SourceCitation[];
  /** The rules that depend on it (through `when` or an inference naming it). */
  readonly rules: readonly RuleId[];
}

/** The whole contract as a reader checks it: rules per area with their sources and evidence, and the settings. */
export interface RulesReference {
  readonly specVersion: string;
  readonly areas: readonly {
    readonly area: string;
    readonly summary: string;
    readonly rules: readonly RuleReferenceEntry[];
  }[];
  readonly settings: readonly SettingReferenceEntry[];
}

/** The fragment of a rule's entry in docs/rules.md (the GitHub anchor of its heading). */
export const ruleAnchor = (id: string): string => id.toLowerCase();

/** The fragment of a setting's entry in docs/rules.md (heading "Setting `name`"). */
export const settingAnchor = (name: string): string => `setting-${name.toLowerCase()}`;

/** Builds the reference from the contract and the project's evidence; pure. */
export function buildRulesReference(contract: Contract, evidence: RuleEvidence): RulesReference {
  const rules = [...contract.rules.values()];
  const entry = (id: RuleId): RuleReferenceEntry => {
    const rule = contract.rule(id);
    return {
      id,
      anchor: ruleAnchor(id),
      level: rule.level,
      rule: rule.rule,
      operations: rule.operations,
      sources: rule.source,
      when: Object.entries(rule.when).map(([setting, values]) => ({ setting, values })),
      ...(rule.whenWhy === undefined ? {} : { whenWhy: rule.whenWhy }),
      settings: [
        ...new Set(rule.source.flatMap((source) => (source.setting === undefined ? [] : [source.setting]))),
      ],
      ...(rule.others === undefined ? {} : { others: rule.others }),
      tests: evidence.tests.filter((test) => test.rules.includes(id)),
      faults: evidence.faults
        .filter((fault) => fault.targets.includes(id))
        .map(({ name, bug }) => ({ name, bug })),
    };
  };
  const entries = new Map(rules.map((rule) => [rule.id, entry(rule.id)]));
  return {
    specVersion: contract.specVersion,
    areas: [...contract.areas].map(([area, summary]) => ({
      area,
      summary,
      rules: rules.filter((rule) => rule.area === area).map((rule) => entries.get(rule.id) ?? entry(rule.id)),
    })),
    settings: [...contract.profiles.settings.values()].map((setting) => ({
      name: setting.name,
      anchor: settingAnchor(setting.name),
      summary: setting.summary,
      values: setting.range
        ? [
            {
              value: `${setting.range.minimum}–${setting.range.maximum}`,
              meaning: 'an integer in this range',
            },
          ]
        : [...setting.values].map(([value, meaning]) => ({ value, meaning })),
      default: setting.default,
      sources: setting.source,
      rules: [...entries.values()]
        .filter(
          (rule) =>
            rule.when.some((condition) => condition.setting === setting.name) ||
            rule.settings.includes(setting.name),
        )
        .map((rule) => rule.id),
    })),
  };
}
