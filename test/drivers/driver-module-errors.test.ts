// A user's driver module that is not a KvsDriver is the user's fault, said up front: exit 2 naming
// the module, every method it lacks and what the interface needs; a factory that throws names the
// module and the factory and shows the user's frames (not the harness's). A driver without an
// optional method has the tests needing it reported not applicable, never failed.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../proof/run-cli.ts';

const TEMPLATE = readFileSync(new URL('../../examples/driver-template.mjs', import.meta.url), 'utf8');

/** Writes a module into a fresh temp dir (an ES module package, as a user's project) and returns its path. */
const writeModule = (name: string, text: string): string => {
  const dir = mkdtempSync(join(tmpdir(), 'kvsc-bad-driver-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  writeFileSync(join(dir, 'driver-template.mjs'), TEMPLATE);
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};

describe('a bad driver module is a tool error naming it (exit 2), before any test runs', () => {
  it('a driver without some methods: every missing one is named, with what the interface needs', async () => {
    const file = writeModule(
      'fewer.mjs',
      [
        "import { createDriver as template } from './driver-template.mjs';",
        'export function createDriver(context) {',
        '  const driver = template(context);',
        '  return { name: driver.name, info: driver.info, listKeys: () => driver.listKeys(),',
        '    getRecord: () => undefined, setRecord: () => undefined, getOrCreateStore: () => undefined };',
        '}',
      ].join('\n'),
    );
    const result = await runCli(['run', '--rule', 'KVS-CLIENT-002', '--driver', file]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout).not.toMatch(/FAIL|INCOMPLETE/);
    expect(result.stderr).toContain(`--driver ${file}: the factory did not return a KvsDriver`);
    expect(result.stderr).toContain(
      'no method listStores, getStore, updateStore, deleteStore, recordExists, deleteRecord.',
    );
    expect(result.stderr).toContain('A KvsDriver has name (= info.name), info {');
    expect(result.stderr).toContain('see examples/driver-template.mjs');
  }, 120_000);

  it('a driver with a wrong info and an optional hook that is not a function: each is named', async () => {
    const file = writeModule(
      'odd.mjs',
      [
        "import { createDriver as template } from './driver-template.mjs';",
        'export default (context) => {',
        '  const driver = template(context);',
        "  driver.info = { ...driver.info, transport: 'tcp' };",
        "  driver.name = 'other';",
        '  driver.getRecordValue = 1;',
        '  return driver;',
        '};',
      ].join('\n'),
    );
    const result = await runCli(['run', '--rule', 'KVS-CLIENT-002', '--driver', file]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(
      `--driver ${file}: the factory did not return a KvsDriver: info.transport is "tcp", not 'http' or 'in-process'; name is "other", not info.name "hand-written"; getRecordValue not a function.`,
    );
  }, 120_000);

  it('a factory that throws: the module, the factory and the user frames, none of the harness', async () => {
    const file = writeModule(
      'throws.mjs',
      [
        'function connect() {',
        "  throw new Error('boom in factory');",
        '}',
        'export function createDriver() {',
        '  return connect();',
        '}',
      ].join('\n'),
    );
    const result = await runCli(['run', '--driver', file]);
    expect(result.code, result.stderr).toBe(2);
    const lines = result.stderr.trimEnd().split('\n');
    const at = lines.findIndex((line) => line.includes('KVSC_USAGE'));
    expect(lines[at]).toBe(
      `kvs-conformance: KVSC_USAGE: --driver ${file}: the driver factory createDriver threw Error: boom in factory`,
    );
    expect(lines.slice(at + 1)).toEqual([
      expect.stringMatching(new RegExp(`^    at connect \\(file://${file}:2:9\\)$`)),
      expect.stringMatching(new RegExp(`^    at createDriver \\(file://${file}:5:10\\)$`)),
    ]);
    expect(result.stderr).not.toContain('unexpected error');
  }, 120_000);
});

describe('a driver without an optional method', () => {
  it('without iterateKeys (and no unsupported.keyIterator): the key-iterator test is not applicable, not failed', async () => {
    const file = writeModule(
      'no-iterator.mjs',
      [
        "import { createDriver as template } from './driver-template.mjs';",
        'export function createDriver(context) {',
        '  const driver = template(context);',
        '  driver.iterateKeys = undefined;',
        '  return driver;',
        '}',
      ].join('\n'),
    );
    const out = join(file, '..', 'out');
    const result = await runCli([
      'run',
      '--rule',
      'KVS-KEYS-001',
      '--runs',
      '2',
      '--driver',
      file,
      '--out',
      out,
    ]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as {
      rules: readonly { id: string; tests: readonly { title: string; state: string }[] }[];
    };
    const tests = report.rules.find((rule) => rule.id === 'KVS-KEYS-001')?.tests ?? [];
    expect(tests).toContainEqual(
      expect.objectContaining({
        title: expect.stringContaining(
          '[hand-written] not applicable: the driver has no iterateKeys, so its own key iterator cannot be checked',
        ) as string,
        state: 'skipped',
      }),
    );
    expect(tests.filter((test) => test.title.includes('[hand-written]') && test.state === 'failed')).toEqual(
      [],
    );
  }, 300_000);
});
