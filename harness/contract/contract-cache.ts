import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the build writes the shipped contract once checked (`npm run build`:
 * scripts/write-contract-cache.mjs): dist/contract-cache.json, next to dist/harness/, shipped in
 * the package. When the sources run there is none, and the contract is checked anew.
 */
export const CONTRACT_CACHE_FILE = fileURLToPath(new URL('../../contract-cache.json', import.meta.url));

/** What the cache file holds: the digest of the files it was made from, and what they gave. */
interface ContractCacheEntry {
  readonly digest: string;
  readonly files: unknown;
}

/** SHA-256 over the names and bytes of the given files, in order: changes when any of them changes. */
export function contractFilesDigest(paths: readonly string[]): string {
  const hash = createHash('sha256');
  for (const path of paths) {
    const bytes = readFileSync(path);
    hash.update(`${basename(path)}\0${bytes.length}\0`).update(bytes);
  }
  return hash.digest('hex');
}

/**
 * The checked contract files cached for exactly these files (same names, same bytes), or undefined
 * when there is no cache, it is unreadable, or it was made from other content.
 */
export function readContractCache(paths: readonly string[], cacheFile = CONTRACT_CACHE_FILE): unknown {
  let entry: ContractCacheEntry;
  try {
    entry = JSON.parse(readFileSync(cacheFile, 'utf8')) as ContractCacheEntry;
  } catch {
    return undefined;
  }
  try {
    return entry.digest === contractFilesDigest(paths) ? entry.files : undefined;
  } catch {
    // A file that cannot be read is reported by the full load, with its location.
    return undefined;
  }
}

/** Writes the checked contract files made from `paths` to the cache file. */
export function writeContractCache(
  paths: readonly string[],
  files: unknown,
  cacheFile = CONTRACT_CACHE_FILE,
): void {
  const entry: ContractCacheEntry = { digest: contractFilesDigest(paths), files };
  writeFileSync(cacheFile, JSON.stringify(entry));
}
