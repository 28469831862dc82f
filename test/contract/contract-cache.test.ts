import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  contractFilesDigest,
  readContractCache,
  writeContractCache,
} from '../../harness/contract/contract-cache.ts';
import { DEFAULT_SPEC_DIR, loadContract } from '../../harness/contract/load-contract.ts';

const NAMES = ['openapi.yaml', 'overlay.yaml', 'rules.yaml', 'profiles.yaml'];
const SHIPPED = NAMES.map((name) => join(DEFAULT_SPEC_DIR, name));

/** A copy of the shipped spec files in a new folder, with a cache file path beside them. */
function specCopy(): { dir: string; paths: string[]; cacheFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'kvsc-contract-cache-'));
  const paths = NAMES.map((name) => join(dir, name));
  NAMES.forEach((name, index) => copyFileSync(join(DEFAULT_SPEC_DIR, name), paths[index] ?? ''));
  return { dir, paths, cacheFile: join(dir, 'contract-cache.json') };
}

describe('the compiled contract cache', () => {
  it('is used only for the bytes it was made from: a change to any file, or a file missing, is a miss', () => {
    const { paths, cacheFile } = specCopy();
    writeContractCache(paths, { made: 'from these files' }, cacheFile);
    expect(readContractCache(paths, cacheFile)).toEqual({ made: 'from these files' });
    for (const path of paths) {
      const original = readFileSync(path);
      writeFileSync(path, Buffer.concat([original, Buffer.from('\n# one more line\n')]));
      expect(readContractCache(paths, cacheFile), path).toBeUndefined();
      writeFileSync(path, original);
    }
    expect(readContractCache(paths, cacheFile)).toEqual({ made: 'from these files' });
    expect(
      readContractCache([...paths.slice(0, 3), join(paths[0] ?? '', '..', 'missing.yaml')], cacheFile),
    ).toBe(undefined);
  });

  it('tells the files apart by name and order, not only by their bytes', () => {
    const swapped = [SHIPPED[1] ?? '', SHIPPED[0] ?? '', ...SHIPPED.slice(2)];
    expect(contractFilesDigest(swapped)).not.toBe(contractFilesDigest(SHIPPED));
  });

  it('is ignored when unreadable or not JSON (the contract is then checked anew)', () => {
    const { paths, cacheFile } = specCopy();
    expect(readContractCache(paths, cacheFile)).toBeUndefined();
    writeFileSync(cacheFile, '{ not json');
    expect(readContractCache(paths, cacheFile)).toBeUndefined();
  });

  it('a contract loaded from cached files checks like one loaded in full, and holds the same data', async () => {
    // What the build step does (scripts/write-contract-cache.mjs), into a cache file of a copy.
    const { dir, paths, cacheFile } = specCopy();
    const full = await loadContract({ openapiFile: SHIPPED[0] ?? '' });
    writeContractCache(paths, full.files, cacheFile);
    const cached = readContractCache(paths, cacheFile) as typeof full.files;
    expect(cached).toEqual(JSON.parse(JSON.stringify(full.files)));
    const fromCache = await loadContract({ specDir: dir, checked: cached });
    expect(fromCache.document).toEqual(full.document);
    expect([...fromCache.rules.keys()]).toEqual([...full.rules.keys()]);
    expect(fromCache.limits).toEqual(full.limits);
    expect([...fromCache.operations.keys()]).toEqual([...full.operations.keys()]);
    const badList = { data: { items: 'not a list' } };
    for (const contract of [full, fromCache]) {
      expect(contract.checkBody('keyValueStores_get', 200, 'application/json', badList).outcome).toBe(
        'invalid',
      );
    }
  });
});
