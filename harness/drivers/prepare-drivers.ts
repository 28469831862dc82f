import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HarnessError } from '../errors.ts';
import { buildDriver } from './build-driver.ts';
import { loadDriverFactory, resolveDriverSpec, type DriverSpec } from './driver-registry.ts';
import { HTTP_DRIVER_INFO } from './http-driver.ts';
import type { DriverFactoryContext, DriverInfo } from './kvs-driver.ts';

/** The drivers of a run, resolved and described, before any suite runs. */
export interface PreparedDrivers {
  readonly specs: readonly DriverSpec[];
  readonly infos: readonly DriverInfo[];
}

/**
 * Resolves every `--driver` value, loads its factory and builds it once to learn its name, package
 * and version (for the report), so a driver that cannot load, whose factory throws or that is not
 * a whole KvsDriver is a tool error before the run rather than a failure inside it.
 */
export async function prepareDrivers(
  given: readonly string[],
  cwd: string,
  context: Omit<DriverFactoryContext, 'workDir'>,
): Promise<PreparedDrivers> {
  const specs = given.map((value) => resolveDriverSpec(value, cwd));
  const infos: DriverInfo[] = [];
  for (const spec of specs) {
    if (spec.kind === 'http') {
      infos.push(HTTP_DRIVER_INFO);
      continue;
    }
    const factory = await loadDriverFactory(spec);
    // A built-in factory that names its driver up front is not built here (its package loads in
    // the suite worker only).
    if (factory.info !== undefined) {
      infos.push(factory.info);
      continue;
    }
    const workDir = mkdtempSync(join(tmpdir(), 'kvsc-driver-'));
    try {
      const driver = await buildDriver(spec, factory, { ...context, workDir });
      infos.push(driver.info);
      await driver.close?.();
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
  }
  const names = infos.map((info) => info.name);
  const twice = names.find((name, index) => names.indexOf(name) !== index);
  if (twice !== undefined)
    throw new HarnessError('KVSC_USAGE', `--driver: two drivers are named ${twice}; each needs its own name`);
  return { specs, infos };
}
