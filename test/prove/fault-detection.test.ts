// The fast form of `npm run prove`: every fault mode must be caught under its own rule area.
// (The false-positive side — the clean server passing in both profiles — is
// test/suites/reference-sweep.test.ts.)
import { describe, expect, it } from 'vitest';
import { loadContract } from '../../harness/index.ts';
import { FAULT_MODES } from '../../proof/fault-modes.ts';
import { detectFault } from '../../proof/detect-fault.ts';

describe('the harness catches every fault mode in its own rule area', () => {
  it('has at least 25 fault modes, at least two per rule area of the catalog', async () => {
    const contract = await loadContract();
    expect(FAULT_MODES.length).toBeGreaterThanOrEqual(25);
    const perArea = new Map<string, number>();
    for (const mode of FAULT_MODES) perArea.set(mode.area, (perArea.get(mode.area) ?? 0) + 1);
    for (const area of contract.areas.keys()) {
      // CLIENT rules judge client libraries, not servers: their faults are broken client drivers
      // (test/drivers/faulty-client-drivers.ts), caught in test/drivers/client-drivers-cli.test.ts.
      if (area === 'CLIENT') continue;
      expect(perArea.get(area) ?? 0, area).toBeGreaterThanOrEqual(2);
    }
    expect(new Set(FAULT_MODES.map((mode) => mode.name)).size).toBe(FAULT_MODES.length);
  });

  it.concurrent.each(FAULT_MODES.map((mode) => [mode.name, mode] as const))('%s', async (_name, mode) => {
    const detection = await detectFault(mode, { runs: 10, seed: 1 });
    expect(detection.exitCode, `${mode.name}: ${detection.failedRules.join(', ')}`).toBe(1);
    expect(
      detection.detected,
      `${mode.name} (${mode.area}) failed only ${detection.failedRules.join(', ') || 'nothing'}`,
    ).toBe(true);
  });
});
