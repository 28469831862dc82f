import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ApifyClient } from 'apify-client';
import { HarnessError } from '../errors.ts';
import type { DescribedDriverFactory, DriverInfo } from './kvs-driver.ts';
import { packageVersion } from './package-version.ts';

const PACKAGE = 'apify-client';

/** Resolves a package from the user's folder first, then from the harness's own. */
function resolveFrom(folders: readonly string[], name: string): string | undefined {
  for (const folder of folders) {
    try {
      return createRequire(join(folder, 'package.json')).resolve(name);
    } catch {
      // Not installed there: try the next folder.
    }
  }
  return undefined;
}

/**
 * `apify-client` (the copy the harness depends on) or `apify-client@X`: a copy the user installed
 * under the npm alias `apify-client-X` (`npm i -D apify-client-X@npm:apify-client@X`), so several
 * versions run side by side in one matrix. A version that is not installed is a one-line error.
 */
export function apifyClientVersionDriver(
  version: string | undefined,
  cwd: string | undefined,
): DescribedDriverFactory {
  const alias = version === undefined ? PACKAGE : `${PACKAGE}-${version}`;
  const harnessRoot = fileURLToPath(new URL('../../', import.meta.url));
  const resolved = resolveFrom(cwd === undefined ? [harnessRoot] : [cwd, harnessRoot], alias);
  if (resolved === undefined) {
    throw new HarnessError(
      'KVSC_USAGE',
      `--driver apify-client@${version ?? ''}: ${alias} is not installed; install it with npm i -D ${alias}@npm:${PACKAGE}@${version ?? 'latest'}`,
    );
  }
  const installed = packageVersion(resolved, PACKAGE);
  if (version !== undefined && installed !== version) {
    throw new HarnessError(
      'KVSC_USAGE',
      `--driver apify-client@${version}: ${alias} holds apify-client ${installed ?? '(unknown version)'}, not ${version}`,
    );
  }
  const info: DriverInfo = {
    name: version === undefined ? PACKAGE : `${PACKAGE}@${version}`,
    package: PACKAGE,
    version: installed,
    transport: 'http',
  };
  // apify-client (about 160 ms of CPU to load) loads when a driver is built, in the suite worker;
  // the run's preparation learns the driver's name and version from `info` without loading it.
  const factory = async (context: Parameters<DescribedDriverFactory>[0]) => {
    const [{ ApifyClient: clientClass }, { ApifyClientDriver }] = await Promise.all([
      import(pathToFileURL(resolved).href) as Promise<{ ApifyClient: typeof ApifyClient }>,
      import('./apify-client-driver.ts'),
    ]);
    return new ApifyClientDriver({
      baseUrl: context.targetUrl,
      token: context.token,
      timeoutMs: context.timeoutMs,
      maxResponseBytes: context.maxResponseBytes,
      maxRetries: context.maxRetries,
      ...(context.onRequest ? { onRequest: context.onRequest } : {}),
      clientClass,
      info,
    });
  };
  return Object.assign(factory, { info });
}
