// The fault catalog covers the rule catalog, and a representative subset of fault modes is caught
// on its target rules (the fast form of `npm run prove`, which runs every fault). (The
// false-positive side — the clean server passing in both profiles — is
// test/suites/reference-sweep.test.ts.)
import { describe, expect, it } from 'vitest';
import { loadContract } from '../../harness/index.ts';
import { readSuiteIndex } from '../../runner/suite-index.ts';
import { isClientFault, type ClientFault } from '../../proof/faults/client-fault.ts';
import { CLIENT_FAULTS, FAULT_MODES, type FaultMode } from '../../proof/faults/fault-modes.ts';
import { detectClientFault, detectFault } from '../../proof/faults/detect-fault.ts';

// The suite index: the rules each suite test's meta declares (docs/rules.json, kept in step by
// test/contract/rules-reference.test.ts).
const citedRules = readSuiteIndex();

/** One fault per rule area, mostly the narrow ones and those proving a check that was partial. */
const SUBSET = [
  'schema-location-relative-without-v2',
  'page-default-limit-100',
  'keys-prefix-excludes-itself',
  'name-tilde-keys-empty',
  'notfound-delete-missing-generic-type',
  'cons-delete-resurrects',
  'limit-partial-record-kept',
  'record-post-keeps-existing',
  'auth-query-token-ignored',
  'sign-public-url-internal-host',
  'token-not-found-throws',
  'http-desync-after-early-404',
];
const mode = (name: string): FaultMode | ClientFault => {
  const found = [...FAULT_MODES, ...CLIENT_FAULTS].find((candidate) => candidate.name === name);
  if (!found) throw new Error(`test bug: no fault mode ${name}`);
  return found;
};

describe('the fault catalog proves every rule', async () => {
  const contract = await loadContract();
  // Server faults and client faults (broken client drivers, which the CLIENT rules judge) alike.
  const faults = [...FAULT_MODES, ...CLIENT_FAULTS];
  const targeted = new Set(faults.flatMap((fault) => fault.targets));

  it.each([...contract.rules.keys()])('%s is cited by a suite test and targeted by a fault mode', (id) => {
    expect(citedRules.get(id)?.length ?? 0, `no test in suites/ cites ${id} (in its meta)`).toBeGreaterThan(
      0,
    );
    expect(targeted.has(id), `no fault mode in proof/faults/ targets ${id}`).toBe(true);
  });

  it('names each fault once, targets only catalog rules, and has at least a third narrow faults', () => {
    expect(new Set(faults.map((fault) => fault.name)).size).toBe(faults.length);
    for (const fault of faults) {
      expect(fault.targets.length, fault.name).toBeGreaterThan(0);
      for (const id of fault.targets) expect(contract.rules.has(id), `${fault.name}: ${id}`).toBe(true);
    }
    expect(faults.filter((fault) => fault.narrow).length * 3).toBeGreaterThanOrEqual(faults.length);
  });
});

describe('a representative fault per rule area fails its target rule', () => {
  it.concurrent.each(SUBSET.map((name) => [name, mode(name)] as const))('%s', async (_name, fault) => {
    const options = { runs: 10, seed: 1, scope: 'targets' } as const;
    const detection = isClientFault(fault)
      ? await detectClientFault(fault, options)
      : await detectFault(fault, options);
    // The verdict is read from the report: a SHOULD rule (KVS-SIGN-005) fails without exit code 1.
    expect(detection.exitCode, fault.name).not.toBe(2);
    expect(
      detection.detected,
      `${fault.name} (${fault.targets.join(', ')}) failed only ${detection.collateral.join(', ') || 'nothing'}`,
    ).toBe(true);
  });
});
