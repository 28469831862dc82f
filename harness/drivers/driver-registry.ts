import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { COMMAND_DRIVER_PREFIX } from '../config/run-options.ts';
import { HarnessError } from '../errors.ts';
import { BUILT_IN_DRIVERS } from './built-in-drivers.ts';
import { apifyClientVersionDriver } from './apify-client-version-driver.ts';
import { apifyStorageLocalDriver } from './apify-storage-local-driver.ts';
import { crawleeMemoryStorageDriver } from './crawlee-memory-storage-driver.ts';
import type { DescribedDriverFactory, KvsDriverFactory } from './kvs-driver.ts';
import { stdioDriverFactory } from './stdio-driver.ts';

/**
 * A `--driver` value made independent of the working directory: a built-in name, `apify-client@X`
 * with the folder it resolves from, or a user module as an absolute file URL. Serializable, so the
 * runner can hand it to the suite workers.
 */
export interface DriverSpec {
  /** As the user gave it. */
  readonly given: string;
  readonly kind: 'http' | 'built-in' | 'apify-client-version' | 'module' | 'command';
  /**
   * For a version: the folder to resolve the aliased package from; for a module: its file URL; for
   * a command (a stdio driver, `cmd:<command>`): the command line.
   */
  readonly location: string | undefined;
  /** For a command: the folder it runs in (the working directory of the run). */
  readonly cwd?: string;
}

const looksLikePath = (given: string): boolean =>
  given.startsWith('.') || isAbsolute(given) || /\.(?:[cm]?js|[cm]?ts)$/.test(given);

/**
 * Resolves one `--driver` value against the working directory; a value that names nothing gets a
 * one-line error saying what is allowed.
 */
export function resolveDriverSpec(given: string, cwd: string): DriverSpec {
  if (given === 'http') return { given, kind: 'http', location: undefined };
  if ((BUILT_IN_DRIVERS as readonly string[]).includes(given))
    return { given, kind: 'built-in', location: undefined };
  if (given.startsWith('apify-client@')) return { given, kind: 'apify-client-version', location: cwd };
  if (given.startsWith(COMMAND_DRIVER_PREFIX)) {
    const command = given.slice(COMMAND_DRIVER_PREFIX.length).trim();
    if (command === '')
      throw new HarnessError(
        'KVSC_USAGE',
        '--driver-cmd needs a command, e.g. --driver-cmd "python3 my_driver.py"',
      );
    return { given, kind: 'command', location: command, cwd };
  }
  const allowed = `a built-in driver (${BUILT_IN_DRIVERS.join(', ')}), apify-client@<version>, a module exporting a driver factory, or ${COMMAND_DRIVER_PREFIX}<command> (a stdio driver)`;
  if (looksLikePath(given)) {
    const file = resolve(cwd, given);
    if (!existsSync(file))
      throw new HarnessError('KVSC_USAGE', `--driver ${given}: no such file ${file}; allowed: ${allowed}`);
    return { given, kind: 'module', location: pathToFileURL(file).href };
  }
  try {
    const file = createRequire(join(cwd, 'package.json')).resolve(given);
    return { given, kind: 'module', location: pathToFileURL(file).href };
  } catch {
    throw new HarnessError('KVSC_USAGE', `--driver ${given} is unknown; allowed: ${allowed}`);
  }
}

/**
 * A spec as a `--driver` value that resolves to it again from any folder: a module as its absolute
 * path; a built-in name, `apify-client@X` and a `cmd:` command as given.
 */
export const driverFlagOf = (spec: DriverSpec): string =>
  spec.kind === 'module' && spec.location !== undefined ? fileURLToPath(spec.location) : spec.given;

/** The factory a resolved spec stands for (not for `http`: the suites build that one themselves). */
export async function loadDriverFactory(spec: DriverSpec): Promise<DescribedDriverFactory> {
  switch (spec.given) {
    case 'apify-client':
      return apifyClientVersionDriver(undefined, undefined);
    case 'crawlee-memory-storage':
      return crawleeMemoryStorageDriver(false);
    case 'crawlee-memory-storage:persist':
      return crawleeMemoryStorageDriver(true);
    case 'apify-storage-local':
      return apifyStorageLocalDriver;
  }
  if (spec.kind === 'command' && spec.location !== undefined)
    return stdioDriverFactory(spec.location, spec.cwd ?? process.cwd());
  if (spec.kind === 'apify-client-version')
    return apifyClientVersionDriver(spec.given.slice('apify-client@'.length), spec.location);
  if (spec.kind !== 'module' || spec.location === undefined)
    throw new HarnessError('KVSC_USAGE', `--driver ${spec.given} has no factory`);
  let exported: { default?: unknown; createDriver?: unknown };
  try {
    exported = (await import(spec.location)) as typeof exported;
  } catch (error) {
    throw new HarnessError(
      'KVSC_USAGE',
      `--driver ${spec.given} could not be loaded: ${(error as Error).message.split('\n')[0] ?? ''}`,
    );
  }
  const factory = exported.createDriver ?? exported.default;
  if (typeof factory !== 'function') {
    throw new HarnessError(
      'KVSC_USAGE',
      `--driver ${spec.given} exports no driver factory: export a function as default or as createDriver that returns a KvsDriver`,
    );
  }
  return factory as KvsDriverFactory;
}
