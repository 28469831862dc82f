// The zip reader reads archives written by another zip writer (Info-ZIP `zip`, as Debian ships
// it): stored and deflated entries, data descriptors (a zip streamed to a pipe) and Zip64.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readZipEntries } from '../../harness/index.ts';

const hasZip = ((): boolean => {
  try {
    execFileSync('zip', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const files: Record<string, Buffer> = {
  'a.txt': Buffer.from('alpha '.repeat(200)),
  "k!-_.'()": Buffer.from([0, 1, 2, 255, 128]),
  empty: Buffer.alloc(0),
};

/** Writes `files` into a folder and zips them with the given `zip` flags; returns the archive. */
function zipWith(flags: readonly string[], toPipe = false): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'kvsc-zip-'));
  for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), data);
  const names = Object.keys(files);
  if (toPipe) return execFileSync('zip', [...flags, '-', ...names], { cwd: dir });
  execFileSync('zip', [...flags, 'out.zip', ...names], { cwd: dir });
  return readFileSync(join(dir, 'out.zip'));
}

describe.runIf(hasZip)('readZipEntries on archives written by Info-ZIP zip', () => {
  it.each([
    ['stored entries', ['-q', '-0'], false],
    ['deflated entries', ['-q', '-9'], false],
    ['data descriptors (streamed to a pipe)', ['-q'], true],
    ['Zip64 records', ['-q', '-fz'], false],
  ] as const)('%s', (_what, flags, toPipe) => {
    const entries = readZipEntries(zipWith(flags, toPipe));
    expect([...entries.keys()].sort()).toEqual(Object.keys(files).sort());
    for (const [name, data] of Object.entries(files))
      expect(entries.get(name)?.equals(data), name).toBe(true);
  });

  it('refuses a truncated archive with a message', () => {
    const archive = zipWith(['-q', '-9']);
    expect(() => readZipEntries(archive.subarray(0, archive.length - 30))).toThrow();
  });
});
