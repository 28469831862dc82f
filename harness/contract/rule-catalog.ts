import { HarnessError } from '../errors.ts';
import {
  PROFILE_SETTING_NAMES,
  settingItems,
  type ProfileCatalog,
  type ProfileSettingName,
  type ProfileSettings,
} from './profile-catalog.ts';
import { parseSourceCitations, type SourceCitation } from './source-citation.ts';
import type { RuleId } from './rule-ids.ts';
import type { YamlSource } from './yaml-source.ts';

export type { RuleId } from './rule-ids.ts';

/** RFC 2119 level: a failed MUST fails the run; a failed SHOULD is reported only. */
export type RuleLevel = 'MUST' | 'SHOULD';

/** One testable statement of the contract. */
export interface ContractRule {
  readonly id: RuleId;
  readonly area: string;
  readonly level: RuleLevel;
  /** The testable sentence. */
  readonly rule: string;
  /** The public statements the rule rests on (at least one public document). */
  readonly source: readonly SourceCitation[];
  readonly operations: readonly string[];
  /** Profile settings under which the rule applies (setting → allowed values); empty: always. */
  readonly when: Readonly<Partial<Record<ProfileSettingName, readonly string[]>>>;
  /**
   * Why the rule needs its `when` settings, and what a target outside them gives up (`whenWhy` in
   * spec/rules.yaml): said wherever the rule is reported not applicable.
   */
  readonly whenWhy?: string;
  /**
   * For a rule over something other clients of the target share (the store list): what its check
   * judges, and what it tolerates of the others, stated per rule (`others` in spec/rules.yaml).
   */
  readonly others?: string;
}

/** The rules by id and the areas with their descriptions, in catalog order. */
export interface RuleCatalog {
  readonly rules: ReadonlyMap<RuleId, ContractRule>;
  readonly areas: ReadonlyMap<string, string>;
}

/** The well-formed rule id pattern: the one place it is written. */
export const RULE_ID_PATTERN = /^KVS-([A-Z]+)-(\d{3})$/;

/**
 * The rule ids a citing text starts with: its leading words of the form KVS-AREA-NNN (a suite
 * test's title, `[KVS-…]` stripped of brackets is not one). Not checked against the catalog.
 */
export function leadingRuleIds(text: string): string[] {
  const words = text.split(' ');
  const count = words.findIndex((word) => !RULE_ID_PATTERN.test(word));
  return words.slice(0, count === -1 ? words.length : count);
}

type Raw = Record<string, unknown>;
const isRecord = (value: unknown): value is Raw =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isStringList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

/**
 * Parses spec/rules.yaml and checks every rule against the operations and profile settings of the
 * contract: ids unique and well-formed, areas declared, operations defined, `when` values allowed.
 */
export function parseRuleCatalog(
  source: YamlSource,
  operationIds: ReadonlySet<string>,
  profiles: ProfileCatalog,
): RuleCatalog {
  const data = source.data;
  if (!isRecord(data) || !isRecord(data.areas) || !Array.isArray(data.rules)) {
    throw new HarnessError('KVSC_RULES_INVALID', 'the file must hold an areas mapping and a rules list', {
      location: source.locate(''),
    });
  }
  const areas = new Map(Object.entries(data.areas).map(([area, text]) => [area, String(text)]));
  const rules = new Map<RuleId, ContractRule>();
  data.rules.forEach((raw: unknown, index) => {
    const pointer = `/rules/${index}`;
    const fail = (
      field: string,
      reason: string,
      code: 'KVSC_RULES_INVALID' | 'KVSC_RULE_UNKNOWN_OPERATION' = 'KVSC_RULES_INVALID',
    ): never => {
      throw new HarnessError(code, reason, { location: source.locate(`${pointer}${field}`) });
    };
    if (!isRecord(raw)) return fail('', 'a rule must be a mapping');
    const { id, level, rule, source: cited, operations, when = {}, whenWhy, others } = raw;
    const match = typeof id === 'string' ? RULE_ID_PATTERN.exec(id) : null;
    if (!match)
      return fail(
        '/id',
        `rule id ${JSON.stringify(id)} is not of the form KVS-<AREA>-<NNN> (e.g. KVS-PAGE-001)`,
      );
    const ruleId = id as RuleId;
    const area = match[1] ?? '';
    if (!areas.has(area))
      return fail(
        '/id',
        `${ruleId}: area ${area} is not declared; declared: ${[...areas.keys()].join(', ')}`,
      );
    if (rules.has(ruleId)) return fail('/id', `${ruleId} is defined twice; each rule has exactly one home`);
    if (level !== 'MUST' && level !== 'SHOULD')
      return fail('/level', `${ruleId}: level ${JSON.stringify(level)}; allowed: MUST, SHOULD`);
    if (typeof rule !== 'string' || rule.trim() === '')
      return fail('/rule', `${ruleId}: rule must be a non-empty sentence`);
    const sources = parseSourceCitations(cited, PROFILE_SETTING_NAMES, (pointer, reason) =>
      fail(`/source${pointer}`, `${ruleId}: ${reason}`),
    );
    if (!isStringList(operations) || operations.length === 0) {
      return fail('/operations', `${ruleId}: operations must be a non-empty list of operationIds`);
    }
    operations.forEach((operationId, position) => {
      if (!operationIds.has(operationId)) {
        fail(
          `/operations/${position}`,
          `${ruleId} cites operation "${operationId}", which spec/openapi.yaml does not define; defined: ${[...operationIds].join(', ')}`,
          'KVSC_RULE_UNKNOWN_OPERATION',
        );
      }
    });
    if (!isRecord(when)) return fail('/when', `${ruleId}: when must map profile settings to allowed values`);
    for (const [setting, allowed] of Object.entries(when)) {
      const definition = profiles.settings.get(setting as ProfileSettingName);
      if (!definition) {
        fail(
          `/when/${setting}`,
          `${ruleId}: unknown profile setting "${setting}"; known: ${PROFILE_SETTING_NAMES.join(', ')}`,
        );
      }
      if (!isStringList(allowed) || allowed.some((value) => !definition?.values.has(value))) {
        fail(
          `/when/${setting}`,
          `${ruleId}: ${setting} values must be a list drawn from ${[...(definition?.values.keys() ?? [])].join(', ')}`,
        );
      }
    }
    if (whenWhy !== undefined && (typeof whenWhy !== 'string' || whenWhy.trim() === ''))
      return fail('/whenWhy', `${ruleId}: whenWhy must be a non-empty sentence`);
    if (whenWhy !== undefined && Object.keys(when).length === 0)
      return fail('/whenWhy', `${ruleId}: whenWhy says why the rule needs its when settings; it has none`);
    if (others !== undefined && (typeof others !== 'string' || others.trim() === ''))
      return fail('/others', `${ruleId}: others must be a non-empty sentence`);
    rules.set(ruleId, {
      id: ruleId,
      area,
      level,
      rule: rule.trim(),
      source: sources,
      operations,
      when,
      ...(whenWhy === undefined ? {} : { whenWhy: whenWhy.trim() }),
      ...(others === undefined ? {} : { others: others.trim() }),
    });
  });
  return { rules, areas };
}

/** Whether a rule applies under the given settings (every `when` condition holds). */
export function ruleApplies(rule: ContractRule, settings: ProfileSettings): boolean {
  // A set setting (contentEncodings) holds a rule when it lists one of the allowed items.
  return Object.entries(rule.when).every(([setting, allowed]) =>
    settingItems(settings[setting as ProfileSettingName]).some((item) => allowed.includes(item)),
  );
}
