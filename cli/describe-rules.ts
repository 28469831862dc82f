import { existsSync, readFileSync } from 'node:fs';
import { HarnessError } from '../harness/errors.ts';
import type { RulesReference } from '../harness/contract/rules-reference.ts';
import type { SourceCitation } from '../harness/contract/source-citation.ts';
import { RULES_REFERENCE_JSON_FILE } from '../harness/contract/rules-reference-location.ts';

/** Reads the rules reference shipped with the package (docs/rules.json, generated with docs/rules.md). */
export function readRulesReference(file: string = RULES_REFERENCE_JSON_FILE): RulesReference {
  if (!existsSync(file)) {
    throw new HarnessError(
      'KVSC_USAGE',
      `the rules reference ${file} is missing; regenerate it with npm run docs:rules`,
    );
  }
  return JSON.parse(readFileSync(file, 'utf8')) as RulesReference;
}

/** The reference narrowed to one area (case-insensitive); an unknown area is a usage error. */
export function selectArea(reference: RulesReference, area: string | undefined): RulesReference {
  if (area === undefined) return reference;
  const wanted = area.toUpperCase();
  const areas = reference.areas.filter((entry) => entry.area === wanted);
  if (areas.length === 0) {
    throw new HarnessError(
      'KVSC_USAGE',
      `--area ${area} is not a rule area; allowed: ${reference.areas.map((entry) => entry.area).join(', ')}`,
    );
  }
  const ids = new Set(areas.flatMap((entry) => entry.rules.map((rule) => rule.id)));
  return {
    ...reference,
    areas,
    settings: reference.settings.filter((setting) => setting.rules.some((id) => ids.has(id))),
  };
}

const sourceLine = (source: SourceCitation): string =>
  source.kind === 'inference'
    ? `      inference${source.setting ? ` (profile setting ${source.setting})` : ''}: ${source.quote}`
    : `      ${source.kind}: ${source.title} — ${source.locator ?? ''}\n        ${source.url ?? ''}\n        ${source.quote}`;

/** The rules reference as terminal text: what docs/rules.md shows, area by area, then the settings. */
export function describeRulesReference(reference: RulesReference): string {
  const lines: string[] = [];
  for (const area of reference.areas) {
    lines.push(`${area.area} — ${area.summary}`, '');
    for (const rule of area.rules) {
      lines.push(
        `  ${rule.id} (${rule.level}) ${rule.rule}`,
        `    operations: ${rule.operations.join(', ')}`,
        ...(rule.when.length > 0
          ? [
              `    applies when: ${rule.when.map((c) => `${c.setting} is ${c.values.join(' or ')}`).join(' and ')}${rule.whenWhy === undefined ? '' : ` (${rule.whenWhy})`}`,
            ]
          : []),
        '    sources:',
        ...rule.sources.map(sourceLine),
        rule.tests.length === 0 ? '    checked by: no suite test yet' : '    checked by:',
        ...rule.tests.map((test) => `      ${test.file}: ${test.title}`),
        `    faults that fail it: ${rule.faults.length === 0 ? 'none yet' : rule.faults.map((fault) => fault.name).join(', ')}`,
        '',
      );
    }
  }
  if (reference.settings.length > 0) lines.push('Profile settings', '');
  for (const setting of reference.settings) {
    lines.push(
      `  ${setting.name} (default ${String(setting.default)}): ${setting.summary}`,
      ...setting.values.map((value) => `    ${value.value}: ${value.meaning}`),
      '    evidence:',
      ...setting.sources.map(sourceLine),
      `    rules that depend on it: ${setting.rules.join(', ') || 'none'}`,
      '',
    );
  }
  return lines.join('\n');
}
