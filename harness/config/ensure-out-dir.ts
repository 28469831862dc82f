import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { HarnessError } from '../errors.ts';

/**
 * Makes sure `out` is a folder the run can write its reports into (creating it if missing) before
 * anything runs, so a bad `--out` is one clear usage error instead of a failure after the run.
 * Returns the absolute path.
 */
export function ensureOutDir(out: string, origin = '--out'): string {
  const folder = resolve(out);
  const probe = join(folder, `.kvsc-write-check-${process.pid}`);
  try {
    mkdirSync(folder, { recursive: true });
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const reason =
      code === 'EEXIST' || code === 'ENOTDIR'
        ? 'it is not a folder'
        : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
          ? 'it cannot be written to'
          : message;
    throw new HarnessError(
      'KVSC_USAGE',
      `${origin} ${out}: ${reason} (${code ?? 'error'}); allowed: a folder you can write to, or a path where one can be created`,
      { cause: error },
    );
  }
  return folder;
}
