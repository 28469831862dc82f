import type { Contract } from '../harness/contract/load-contract.ts';

/** A short human summary of the contract: operations, rule counts per area, profile settings. */
export function describeContract(contract: Contract): string {
  const perArea = [...contract.areas.keys()].map(
    (area) => `${area} ${[...contract.rules.values()].filter((rule) => rule.area === area).length}`,
  );
  const settings = [...contract.profiles.settings.values()].map(
    (setting) => `  ${setting.name} = ${String(setting.default)}  (${setting.summary})`,
  );
  return [
    `contract ${contract.specFile} (version ${contract.specVersion})`,
    `operations: ${contract.operations.size} (${[...contract.operations.keys()].join(', ')})`,
    `rules: ${contract.rules.size} (${perArea.join(', ')})`,
    `profile settings (defaults):`,
    ...settings,
    `presets: ${[...contract.profiles.presets.keys()].join(', ')}`,
    'every rule with its sources, tests and faults: kvs-conformance contract --rules [--area AREA] [--json]',
  ].join('\n');
}
