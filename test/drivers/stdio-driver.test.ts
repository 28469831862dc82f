// Clients in other languages: a Python 3 standard-library client (test/drivers/python/) run as a
// stdio driver (`--driver-cmd`, docs/stdio-drivers.md) gets the whole client profile of a default
// run and passes it; a bug planted in it (KVS_PY_BUG) is found, through that driver, on its rule.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../proof/run-cli.ts';
import type { ConformanceReport } from '../../reports/index.ts';

const DRIVER = fileURLToPath(new URL('./python/kvs_driver.py', import.meta.url));

/** A default `run --driver-cmd` of the Python driver (with a planted bug, if given) and its report. */
async function runPython(bug?: string): Promise<{ code: number | null; report: ConformanceReport }> {
  const out = mkdtempSync(join(tmpdir(), 'kvsc-stdio-'));
  const result = await runCli(
    ['run', '--driver-cmd', `python3 ${DRIVER}`, '--seed', '7', '--runs', '2', '--out', out],
    bug ? { KVS_PY_BUG: bug } : {},
  );
  return {
    code: result.code,
    report: JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as ConformanceReport,
  };
}

describe.concurrent('a stdio driver (Python 3 standard library)', () => {
  it('passes the whole client profile: the families through it and the client contract', async () => {
    const { code, report } = await runPython();
    expect(report.rules.filter((rule) => rule.verdict === 'fail').map((rule) => rule.id)).toEqual([]);
    expect(code).toBe(0);
    expect(report.drivers).toEqual([
      { name: 'python-stdlib', package: 'kvs_client.py', version: '0.1.0', transport: 'http' },
    ]);
    const client = report.rules.filter((rule) => rule.id.startsWith('KVS-CLIENT-'));
    expect(client.map((rule) => rule.verdict)).toEqual(client.map(() => 'pass'));
  }, 600_000);

  it('finds the bug planted in it: every 404 read as a miss fails KVS-CLIENT-003 through it', async () => {
    const { code, report } = await runPython('every-404-a-miss');
    expect(code).toBe(1);
    const rule = report.rules.find((each) => each.id === 'KVS-CLIENT-003');
    expect(rule?.verdict).toBe('fail');
    expect(rule?.failures.some((failure) => failure.test.includes('[python-stdlib-every-404-a-miss]'))).toBe(
      true,
    );
  }, 600_000);
});
