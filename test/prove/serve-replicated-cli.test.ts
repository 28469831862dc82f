// `proof/truth/serve-replicated.ts`, the replicated store with a known truth as a server: `--help`
// prints the flags and exits 0; bad input says what was wrong and what is allowed, exit 2, no stack.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../../proof/truth/serve-replicated.ts', import.meta.url));
const serve = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { encoding: 'utf8', timeout: 60_000 });

describe('serve-replicated', () => {
  it('--help prints the usage and exits 0', () => {
    const ran = serve('--help');
    expect(ran.status, ran.stderr).toBe(0);
    expect(ran.stdout).toMatch(/^Usage: node --import tsx proof\/truth\/serve-replicated\.ts/);
    expect(ran.stdout).toContain('--routing MODE');
    expect(ran.stdout).toContain('--at-commit K');
  });

  it.each([
    [['--lag', 'foo'], /--lag "foo" is not understood; allowed: exponential:MEAN/],
    [['--bogus'], /Unknown option '--bogus'/],
    [['--replicas', '0'], /--replicas 0: allowed: a whole number ≥ 1/],
    [['--port', 'x'], /--port x: allowed: a whole number ≥ 0/],
    [
      ['--replicas', '3', '--at-commit', '4'],
      /--at-commit 4: allowed: a whole number from 0 to --replicas \(3\)/,
    ],
  ])('%j: a clear error, exit 2, no stack trace', (args, message) => {
    const ran = serve(...args);
    expect(ran.status).toBe(2);
    expect(ran.stderr).toMatch(message);
    expect(ran.stderr).not.toMatch(/\n\s+at /);
  });
});
