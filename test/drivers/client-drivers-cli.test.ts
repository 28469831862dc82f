// Client drivers end to end: a user's driver module loaded from its own folder runs the client
// families and lands in the report; faults injected into a driver are caught by the right rule
// through that driver (also by the client-contract checks, answers served by a scripted server); the matrix exit code
// follows the expected-deviation manifest.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../proof/run-cli.ts';
import { writeClientFaultModule } from '../../proof/faults/client-fault.ts';
import { CLIENT_FAULTS } from '../../proof/faults/client-faults.ts';
import type { ConformanceMatrix } from '../../harness/results/conformance-matrix.ts';

const TEMPLATE = new URL('../../examples/driver-template.mjs', import.meta.url);

interface ReportJson {
  readonly drivers: readonly { name: string; package: string | null; version: string | null }[];
  readonly rules: readonly {
    id: string;
    verdict: string;
    tests: readonly { title: string; state: string }[];
  }[];
}

describe('client drivers through the CLI', () => {
  it('a user module driver from a temp dir runs the client families and lands in the report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kvsc-user-driver-'));
    // A user's project: an ES module package holding their driver.
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    const driverFile = join(dir, 'my-client-driver.mjs');
    writeFileSync(driverFile, readFileSync(TEMPLATE, 'utf8'));
    const out = join(dir, 'out');
    const result = await runCli([
      'run',
      '--runs',
      '2',
      '--suite',
      'KEYS',
      '--suite',
      'NOTFOUND',
      '--driver',
      'http',
      '--driver',
      driverFile,
      '--out',
      out,
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as ReportJson;
    expect(report.drivers.map((driver) => driver.name)).toEqual(['http', 'hand-written']);
    const throughDriver = report.rules.flatMap((rule) =>
      rule.tests.filter((test) => test.title.includes('[hand-written]')).map((test) => [rule.id, test.state]),
    );
    expect(throughDriver).toContainEqual(['KVS-NOTFOUND-005', 'passed']);
    expect(throughDriver).toContainEqual(['KVS-KEYS-001', 'passed']);
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain('hand-written (no package, http)');
  }, 300_000);

  it('faults injected into drivers are caught by their rule through that driver only, by the suites and by the client-contract checks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kvsc-faulty-drivers-'));
    const drivers = CLIENT_FAULTS.flatMap((fault) => ['--driver', writeClientFaultModule(fault, dir)]);
    const out = join(dir, 'out');
    const result = await runCli([
      'matrix',
      '--manifest',
      'none',
      '--seed',
      '1',
      '--runs',
      '10',
      ...[...new Set(CLIENT_FAULTS.flatMap((fault) => fault.targets))].flatMap((id) => ['--rule', id]),
      '--driver',
      'http',
      ...drivers,
      '--out',
      out,
    ]);
    expect(result.code, result.stderr).toBe(1);
    const matrix = JSON.parse(readFileSync(join(out, 'matrix.json'), 'utf8')) as ConformanceMatrix;
    const cell = (ruleId: string, driver: string): string | undefined =>
      matrix.rows.find((row) => row.ruleId === ruleId)?.cells[driver]?.verdict;
    for (const fault of CLIENT_FAULTS)
      for (const target of fault.targets) {
        expect(cell(target, fault.name), `${fault.name} under ${target}`).toBe('fail');
        // The same rule holds through the other drivers: the fault is pinned to its own driver.
        const others = CLIENT_FAULTS.filter((other) => other.breaks !== fault.breaks);
        for (const other of others)
          expect(cell(target, other.name), `${other.name} under ${target}`).not.toBe('fail');
      }
    expect(cell('KVS-NOTFOUND-005', 'http')).toBe('pass');
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('<section id="matrix">');
    expect(readFileSync(join(out, 'matrix.md'), 'utf8')).toMatch(
      /\| KVS-CLIENT-003 \| undefined-on-403 \| ❌ FAIL \|/,
    );
  }, 300_000);
});
