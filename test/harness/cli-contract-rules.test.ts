import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RulesReference } from '../../harness/contract/rules-reference.ts';
import { runCli } from '../../proof/run-cli.ts';

const shipped = JSON.parse(readFileSync('docs/rules.json', 'utf8')) as RulesReference;
const keys = shipped.areas.find((area) => area.area === 'KEYS');

describe('kvs-conformance contract --rules', () => {
  it('prints every rule of an area with its sources, tests and faults, and no other area', async () => {
    const result = await runCli(['contract', '--rules', '--area', 'keys']);
    expect(result.code).toBe(0);
    for (const rule of keys?.rules ?? []) {
      expect(result.stdout).toContain(`${rule.id} (${rule.level}) ${rule.rule}`);
      for (const source of rule.sources) if (source.url) expect(result.stdout).toContain(source.url);
      for (const fault of rule.faults) expect(result.stdout).toContain(fault.name);
    }
    expect(result.stdout).toContain('checked by:\n      suites/key-pagination.test.ts: KVS-KEYS-');
    expect(result.stdout).not.toMatch(/KVS-(?!KEYS)[A-Z]+-\d{3} \((MUST|SHOULD)\)/);
    expect(result.stdout).toContain('listLimitAboveMax (default clamp)');
  });

  it('prints the same data as docs/rules.json with --json', async () => {
    const result = await runCli(['contract', '--rules', '--json', '--area', 'KEYS']);
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout) as RulesReference;
    expect(printed.areas).toEqual([keys]);
  });

  it('refuses an unknown area with exit 2 and one line naming the areas allowed', async () => {
    const result = await runCli(['contract', '--rules', '--area', 'PAGES']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      `kvs-conformance: KVSC_USAGE: --area PAGES is not a rule area; allowed: ${shipped.areas.map((area) => area.area).join(', ')}`,
    );
  });
});
