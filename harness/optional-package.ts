import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { HarnessError } from './errors.ts';
import { packageRoot } from './package-root.ts';

/** An optional package the harness loads on first use, and the file it resolved to. */
export interface LoadedOptionalPackage<Module> {
  readonly module: Module;
  /** The resolved entry file (for the package's version). */
  readonly resolved: string;
}

/**
 * The version this package pins for an optional peer (`peerDependencies` in its package.json), so
 * the install hint names exactly what the harness was tested with.
 */
function pinnedVersion(name: string): string | undefined {
  const manifest = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as {
    peerDependencies?: Record<string, string>;
  };
  return manifest.peerDependencies?.[name];
}

/** Whether an optional package can be loaded, and if not, the command that installs it. */
export function optionalPackageStatus(
  name: string,
): { installed: true } | { installed: false; install: string } {
  try {
    createRequire(import.meta.url).resolve(name);
    return { installed: true };
  } catch {
    const version = pinnedVersion(name);
    return { installed: false, install: `npm i -D ${version === undefined ? name : `${name}@${version}`}` };
  }
}

/**
 * Loads an optional package on first use: features that need native builds or a container engine
 * (testcontainers, the in-process storage emulators) are not installed with the harness. When the
 * package is missing, the error names the feature, the exact package and version, and the command
 * that installs it.
 */
export async function importOptionalPackage<Module>(
  name: string,
  feature: string,
): Promise<LoadedOptionalPackage<Module>> {
  const status = optionalPackageStatus(name);
  if (!status.installed)
    throw new HarnessError('KVSC_PACKAGE_MISSING', `${feature} needs ${name}, which is not installed`, {
      hint: `install it with ${status.install}`,
    });
  return { module: (await import(name)) as Module, resolved: createRequire(import.meta.url).resolve(name) };
}
