// The suites run in the caller's own isolate (runner/in-process-pool.ts): two runs in one process
// (as `matrix`, `--watch` and a library user make them) must each report what goes wrong outside a
// test, keep the token out of what the suites print, and leave nothing of vitest's behind in the
// process (its console, process.exit guard, error listeners, globals, environment variables,
// fast-check's global settings).
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = (path: string): string => fileURLToPath(new URL(`../../${path}`, import.meta.url));

/**
 * A driver over the repository's driver template that, once per driver made, prints the token
 * and leaves an unhandled rejection and an uncaught exception behind (outside any test's await).
 */
const STRAY_DRIVER = `
import { HandWrittenClient } from ${JSON.stringify(pathToFileURL(root('examples/driver-template.mjs')).href)};
export function createDriver(context) {
  let fired = false;
  return new (class extends HandWrittenClient {
    async getOrCreateStore(name) {
      if (!fired) {
        fired = true;
        console.log('stray driver token: ' + context.token);
        Promise.reject(new Error('a stray rejection from the driver'));
        setTimeout(() => { throw new Error('a stray throw from the driver'); }, 1);
      }
      return super.getOrCreateStore(name);
    }
  })(context);
}
`;

/**
 * Two runs through the built package's API in one process; after each, what vitest could have
 * changed in the process is compared with before the first. Ends with an unhandled rejection of
 * its own, which must end the process as Node does when nobody listens.
 */
const TWO_RUNS = `
const [api, fastCheck, driver] = process.argv.slice(2);
const { runConformance } = await import(api);
const fc = (await import(fastCheck)).default;
const before = {
  console: globalThis.console,
  exit: process.exit,
  env: JSON.stringify(process.env),
  uncaught: process.rawListeners('uncaughtException').length,
  unhandled: process.rawListeners('unhandledRejection').length,
  globals: Reflect.ownKeys(globalThis).filter((name) => String(name).startsWith('__vitest')),
  fc: JSON.stringify(fc.readConfigureGlobal()),
};
for (const run of [1, 2]) {
  const report = await runConformance({ suite: ['NOTFOUND'], runs: 1, driver: [driver] });
  const left = [];
  if (globalThis.console !== before.console) left.push('console');
  if (process.exit !== before.exit) left.push('process.exit');
  if (JSON.stringify(process.env) !== before.env) left.push('environment');
  if (process.rawListeners('uncaughtException').length !== before.uncaught) left.push('uncaughtException listeners');
  if (process.rawListeners('unhandledRejection').length !== before.unhandled) left.push('unhandledRejection listeners');
  // vitest defines __vitest_index__ for good (not configurable): the one global that may stay.
  const globals = Reflect.ownKeys(globalThis).filter((name) => String(name).startsWith('__vitest') && name !== '__vitest_index__');
  if (globals.join() !== before.globals.join()) left.push('globals ' + globals.join());
  if (JSON.stringify(fc.readConfigureGlobal()) !== before.fc) left.push('fast-check settings');
  process.stdout.write('RESULT ' + JSON.stringify({ run, verdict: report.verdict, runErrors: report.runErrors, left }) + '\\n');
}
Promise.reject(new Error('a rejection of the caller after the runs'));
`;

describe('the in-process pool', () => {
  it('reports errors outside a test in every run of a process and leaves the process as it found it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kvsc-in-process-'));
    writeFileSync(join(dir, 'stray-driver.mjs'), STRAY_DRIVER);
    writeFileSync(join(dir, 'two-runs.mjs'), TWO_RUNS);
    const child = spawn(
      process.execPath,
      [
        join(dir, 'two-runs.mjs'),
        pathToFileURL(root('dist/api/index.js')).href,
        pathToFileURL(root('node_modules/fast-check/lib/fast-check.js')).href,
        join(dir, 'stray-driver.mjs'),
      ],
      { cwd: dir, env: { ...process.env, FORCE_COLOR: '0' } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const results = stdout
      .split('\n')
      .filter((line) => line.startsWith('RESULT '))
      .map((line) => JSON.parse(line.slice('RESULT '.length)) as Record<string, unknown>);
    const output = `${stdout}\n${stderr}`;
    expect(results, output).toHaveLength(2);
    for (const [index, result] of results.entries()) {
      expect(result.run).toBe(index + 1);
      // Reported to the run (INCOMPLETE), not a crash, in the process's first run and in a later one.
      expect(result.verdict, output).toBe('INCOMPLETE');
      expect(result.runErrors).toEqual(
        expect.arrayContaining([
          expect.stringContaining('a stray rejection from the driver'),
          expect.stringContaining('a stray throw from the driver'),
        ]),
      );
      expect(result.left, output).toEqual([]);
    }
    // What the driver printed came out, redacted, in both runs.
    const [first, second] = stdout.split(/^RESULT .*$/m);
    expect(first, output).toContain('stray driver token: $APIFY_TOKEN');
    expect(second, output).toContain('stray driver token: $APIFY_TOKEN');
    expect(output).not.toMatch(/kvsc-[0-9a-f]{24}/);
    // Nobody listens any more: the caller's own rejection ends the process as Node does.
    expect(code).toBe(1);
    expect(stderr).toContain('a rejection of the caller after the runs');
  });
});
