// The suite index behind --rule: which suite files hold a test of each rule, from the tests'
// rule metadata (docs/rules.json; test/contract/rules-reference.test.ts keeps it in step), and
// the suites' `it` that records that metadata.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadContract } from '../../harness/index.ts';
import { readSuiteIndex } from '../../runner/suite-index.ts';
import { it as citingIt } from '../../harness/worker/rule-test.ts';

describe('the suite index', () => {
  it('names, for every catalog rule, the existing suite files that cite it', async () => {
    const index = readSuiteIndex();
    const contract = await loadContract();
    for (const id of contract.rules.keys()) {
      const files = index.get(id) ?? [];
      expect(files.length, id).toBeGreaterThan(0);
      for (const file of files) expect(existsSync(file), `${id}: ${file}`).toBe(true);
    }
    // A rule checked in one file loads that file alone; one also checked through the drivers and
    // by the stateful suite loads those too.
    expect(index.get('KVS-AUTH-001')).toEqual(['suites/auth.test.ts']);
    expect(index.get('KVS-RECORD-001')).toEqual([
      'suites/client-families.test.ts',
      'suites/records.test.ts',
      'suites/stateful.test.ts',
    ]);
  });
});

describe("the suites' it", () => {
  citingIt(
    'KVS-KEYS-001 KVS-KEYS-002 (a sample title) records its leading rule ids in the meta',
    ({ task }) => {
      expect(task.meta.kvsRules).toEqual(['KVS-KEYS-001', 'KVS-KEYS-002']);
    },
  );

  it('refuses a title whose rule id is not in the catalog', () => {
    // The typecheck refuses it too (the directive below fails the typecheck once it is accepted).
    // @ts-expect-error KVS-RECORD-999 is not a catalog id
    const register = (): void => citingIt('KVS-RECORD-999 a rule that does not exist', () => undefined);
    expect(register).toThrow('KVS-RECORD-999 is not a rule id of spec/rules.yaml');
  });
});
