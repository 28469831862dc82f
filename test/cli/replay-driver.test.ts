// `replay` of a failure found through a user's driver module: the report keeps where each driver
// was loaded from, so the replay builds the same driver and runs the case again; a module that is
// gone, or a report that does not say where its drivers came from, is a usage error naming
// --driver; a driver that leaves a handle open does not keep the CLI hanging once the command is done.
import { mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeClientFaultModule } from '../../proof/faults/client-fault.ts';
import { CLIENT_FAULTS } from '../../proof/faults/client-faults.ts';
import { runCli } from '../../proof/run-cli.ts';
import type { ConformanceReport } from '../../reports/index.ts';

const fault = CLIENT_FAULTS.find((each) => each.name === 'miss-as-null');
if (!fault) throw new Error('test bug: no client fault miss-as-null');
const dir = mkdtempSync(join(tmpdir(), 'kvsc-replay-driver-'));
const module = writeClientFaultModule(fault, dir);
const out = join(dir, 'out');
const readReport = (): ConformanceReport =>
  JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as ConformanceReport;

describe('replay of a failure found through a driver module', () => {
  it('builds the driver again from where the run loaded it and runs the case: still failing', async () => {
    const run = await runCli([
      'run',
      '--seed',
      '1',
      '--runs',
      '2',
      '--rule',
      'KVS-NOTFOUND-005',
      '--driver',
      module,
      '--out',
      out,
    ]);
    expect(run.code, run.stderr).toBe(1);
    expect(readReport().run.driverFlags).toEqual([module]);
    const replay = await runCli(['replay', join(out, 'report.json')]);
    expect(replay.code, replay.stderr).toBe(1);
    expect(replay.stdout).toMatch(/STILL FAILING {2}KVS-NOTFOUND-005 {2}“KVS-NOTFOUND-005 \[miss-as-null\]/);
    expect(replay.stdout).not.toContain('NOT RUN');
  }, 300_000);

  it('a module that is gone, or an older report naming a driver it cannot load, asks for --driver', async () => {
    const older = join(dir, 'older.json');
    const { driverFlags: _left, ...run } = readReport().run;
    writeFileSync(older, JSON.stringify({ ...readReport(), schemaVersion: '3.0.0', run }));
    const fromOlder = await runCli(['replay', older]);
    expect(fromOlder.code).toBe(2);
    expect(fromOlder.stderr).toMatch(/driver\(s\) miss-as-null.*--driver <name\|module>/);
    const moved = join(dir, 'moved.mjs');
    renameSync(module, moved);
    try {
      const gone = await runCli(['replay', join(out, 'report.json')]);
      expect(gone.code).toBe(2);
      expect(gone.stderr).toContain(`driver module(s) ${module}, which no longer exist`);
      const given = await runCli(['replay', older, '--driver', moved]);
      expect(given.code, given.stderr).toBe(1);
      expect(given.stdout).toMatch(/STILL FAILING {2}KVS-NOTFOUND-005 {2}“KVS-NOTFOUND-005 \[miss-as-null\]/);
    } finally {
      renameSync(moved, module);
    }
  }, 300_000);

  it('a driver that leaves a timer running does not keep the CLI from exiting once the command is done', async () => {
    const leaky = join(dir, 'leaky.mjs');
    writeFileSync(
      leaky,
      `import createFaulty from ${JSON.stringify(module)};\nexport default (context) => { setInterval(() => undefined, 1000); return createFaulty(context); };\n`,
    );
    const run = await runCli([
      'run',
      '--seed',
      '1',
      '--runs',
      '1',
      '--rule',
      'KVS-NOTFOUND-005',
      '--driver',
      leaky,
      '--out',
      join(dir, 'leaky-out'),
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('still holds the process open');
  }, 300_000);
});
