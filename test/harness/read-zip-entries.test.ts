// The zip reader reads archives written by other zip writers (Info-ZIP `zip`, as Debian ships it,
// and fflate): stored and deflated entries, data descriptors (a zip streamed to a pipe), Zip64, and
// an entry named __proto__ (a plain object would lose it).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
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

const files = new Map<string, Buffer>([
  ['a.txt', Buffer.from('alpha '.repeat(200))],
  ["k!-_.'()", Buffer.from([0, 1, 2, 255, 128])],
  ['empty', Buffer.alloc(0)],
  ['__proto__', Buffer.from('not a prototype')],
]);

/** Writes `files` into a folder and zips them with the given `zip` flags; returns the archive. */
function zipWith(flags: readonly string[], toPipe = false): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'kvsc-zip-'));
  for (const [name, data] of files) writeFileSync(join(dir, name), data);
  const names = [...files.keys()];
  if (toPipe) return execFileSync('zip', [...flags, '-', ...names], { cwd: dir });
  execFileSync('zip', [...flags, 'out.zip', ...names], { cwd: dir });
  return readFileSync(join(dir, 'out.zip'));
}

describe('readZipEntries', () => {
  /** A deflated archive written by another zip writer than Info-ZIP (fflate). */
  const fflateArchive = (): Buffer =>
    Buffer.from(
      zipSync(
        { 'a.txt': new Uint8Array(files.get('a.txt') ?? []), b: new Uint8Array([0, 255]) },
        { level: 9 },
      ),
    );

  it('reads a deflated archive written by fflate', async () => {
    const entries = await readZipEntries(fflateArchive());
    expect([...entries.keys()]).toEqual(['a.txt', 'b']);
    expect(entries.get('b')?.equals(Buffer.from([0, 255]))).toBe(true);
  });

  it('refuses a truncated archive with a message', async () => {
    const archive = fflateArchive();
    await expect(readZipEntries(archive.subarray(0, archive.length - 30))).rejects.toThrow();
  });

  describe.runIf(hasZip)(
    `on archives written by Info-ZIP zip${hasZip ? '' : ' (skipped: the Info-ZIP `zip` command is not installed; `apt-get install zip` runs these)'}`,
    () => {
      it.each([
        ['stored entries', ['-q', '-0'], false],
        ['deflated entries', ['-q', '-9'], false],
        ['data descriptors (streamed to a pipe)', ['-q'], true],
        ['Zip64 records', ['-q', '-fz'], false],
      ] as const)('%s', async (_what, flags, toPipe) => {
        const entries = await readZipEntries(zipWith(flags, toPipe));
        expect([...entries.keys()].sort()).toEqual([...files.keys()].sort());
        for (const [name, data] of files) expect(entries.get(name)?.equals(data), name).toBe(true);
      });
    },
  );
});
