// Issue-5 detection per property family: a faulty target per family, run with only that family's
// suite, must fail with that family's rule ids alone and print a shrunk counterexample.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAULT_MODES, faultArea, startFaultyTarget, type FaultMode } from '../../proof/faults/fault-modes.ts';
import { runCli } from '../../proof/run-cli.ts';

const TOKEN = 'family-token';
/** One fault per property family of the suites. */
const FAMILY_FAULTS = [
  'keys-cursor-inclusive',
  'page-offset-off-by-one',
  'name-existing-answers-201',
  'notfound-missing-store-keys-empty',
  'cons-read-cache',
  'limit-off-by-one',
  'record-content-type-lost',
  'auth-wrong-token-reads',
  'sign-any-signature',
];
const mode = (name: string): FaultMode => {
  const found = FAULT_MODES.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`test bug: no fault mode ${name}`);
  return found;
};

/** A run of one suite against a fault mode's target. */
async function runSuite(fault: FaultMode, flags: readonly string[]) {
  const target = await startFaultyTarget(fault, TOKEN);
  try {
    return await runCli([
      'run',
      '--target',
      target.url,
      '--token',
      TOKEN,
      ...flags,
      '--out',
      mkdtempSync(join(tmpdir(), 'kvsc-family-')),
    ]);
  } finally {
    await target.close();
  }
}

describe('each property family catches a faulty target under its own rule ids, with a shrunk counterexample', () => {
  it.concurrent.each(FAMILY_FAULTS.map((name) => [faultArea(mode(name)), name, mode(name)] as const))(
    '%s: %s',
    async (area, _name, fault) => {
      // Under the flags the fault needs, so its own rule is the one that fails.
      const result = await runSuite(fault, [
        ...(fault.runFlags ?? []),
        ...['--suite', area, '--runs', '15', '--seed', '7'],
      ]);
      expect(result.code, result.stdout.slice(-2000)).toBe(1);
      // The verdict lines of failed rules: `✗ KVS-AREA-NNN …`.
      const failed = result.stdout
        .split('\n')
        .flatMap((line) => (line.trimStart().startsWith('✗ ') ? [line.trimStart().split(' ')[1]] : []));
      expect(failed.some((rule) => rule?.startsWith(`KVS-${area}-`))).toBe(true);
      // Only the family's own rules, and the generic response checks (KVS-SCHEMA) that a failure
      // names alongside the specific rule (e.g. a 404 with a wrong error type breaks its schema too).
      expect(
        failed.every((rule) => rule?.startsWith(`KVS-${area}-`) || rule?.startsWith('KVS-SCHEMA-')),
        `failed rules: ${failed.join(', ')}`,
      ).toBe(true);
      expect(result.stdout + result.stderr).toMatch(/Counterexample: /);
    },
  );

  it('KEYS: the counterexample of the inclusive cursor shrinks to a handful of keys', async () => {
    const result = await runSuite(mode('keys-cursor-inclusive'), [
      '--rule',
      'KVS-KEYS-001',
      '--runs',
      '50',
      '--seed',
      '7',
    ]);
    const counterexample = /Counterexample: (\[\[.*?\],\d+\])/.exec(result.stdout + result.stderr)?.[1];
    expect(counterexample, result.stdout.slice(-1500)).toBeDefined();
    const [keys] = JSON.parse(counterexample ?? '[[],0]') as [string[], number];
    expect(keys.length).toBeGreaterThanOrEqual(1);
    expect(keys.length).toBeLessThanOrEqual(5);
  });
});
