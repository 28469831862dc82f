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
  let resolved: string;
  try {
    resolved = createRequire(import.meta.url).resolve(name);
  } catch {
    const version = pinnedVersion(name);
    const spec = version === undefined ? name : `${name}@${version}`;
    throw new HarnessError('KVSC_PACKAGE_MISSING', `${feature} needs ${name}, which is not installed`, {
      hint: `install it with npm i -D ${spec}`,
    });
  }
  return { module: (await import(name)) as Module, resolved };
}
