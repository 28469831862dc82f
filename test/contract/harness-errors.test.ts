import { describe, expect, it } from 'vitest';
import { HARNESS_ERROR_CODES, HarnessError } from '../../harness/index.ts';

describe('HarnessError codes', () => {
  it('are stable: the table of codes is pinned', () => {
    expect(Object.keys(HARNESS_ERROR_CODES)).toMatchInlineSnapshot(`
      [
        "KVSC_USAGE",
        "KVSC_SPEC_UNREADABLE",
        "KVSC_SPEC_INVALID",
        "KVSC_SPEC_REF_BROKEN",
        "KVSC_SPEC_LIMIT_MISSING",
        "KVSC_SPEC_OPERATION_MISSING",
        "KVSC_OVERLAY_INVALID",
        "KVSC_RULES_INVALID",
        "KVSC_RULE_UNKNOWN_OPERATION",
        "KVSC_PROFILE_INVALID",
        "KVSC_TARGET_UNREACHABLE",
        "KVSC_RUN_FAILED",
        "KVSC_PACKAGE_MISSING",
        "KVSC_NOT_APPLICABLE",
        "KVSC_TOKEN_REFUSED",
      ]
    `);
  });

  it('render code, location and hint into one line', () => {
    const error = new HarnessError('KVSC_USAGE', '--runs is "many"; allowed: a positive integer', {
      location: { file: 'kvs-conformance.config.json', pointer: '/runs', line: 3, column: 5 },
      hint: 'use e.g. --runs 100',
    });
    expect(error.message).toBe(
      'KVSC_USAGE: kvs-conformance.config.json#/runs (line 3, column 5): --runs is "many"; allowed: a positive integer — use e.g. --runs 100',
    );
  });
});
