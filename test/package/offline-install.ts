import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The repository (the package's source). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** npm without network chatter: no update check, audit or funding calls. */
export const QUIET_NPM_ENV = {
  npm_config_update_notifier: 'false',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
} as const;

/** What `npm pack --json` says about the tarball. */
export interface PackedTarball {
  readonly tarball: string;
  readonly files: readonly string[];
  readonly size: number;
  readonly unpackedSize: number;
}

interface PackageLock {
  readonly packages: Record<string, { dev?: boolean; devOptional?: boolean; peer?: boolean }>;
}

/**
 * `npm pack` of the repository into `destination`. Scripts are skipped: the self project's global
 * setup has just made the clean build `prepack` would make.
 */
export async function packPackage(destination: string): Promise<PackedTarball> {
  const { stdout } = await promisify(execFile)(
    'npm',
    ['pack', '--ignore-scripts', '--json', '--pack-destination', destination],
    { cwd: REPO_ROOT, env: { ...process.env, ...QUIET_NPM_ENV } },
  );
  const [packed] = JSON.parse(stdout) as {
    filename: string;
    files: { path: string }[];
    size: number;
    unpackedSize: number;
  }[];
  if (!packed) throw new Error(`npm pack printed no tarball: ${stdout}`);
  return {
    tarball: join(destination, packed.filename),
    files: packed.files.map((file) => file.path).sort(),
    size: packed.size,
    unpackedSize: packed.unpackedSize,
  };
}

/**
 * Installs the tarball into a new project at `project` without the network: npm's cache holds the
 * tarballs of every dependency (from `npm ci`) but no registry metadata, so the project gets a
 * lockfile naming exactly the versions the repository's lockfile pins for the package's
 * dependencies (its dev-only entries left out), and `npm ci --offline` installs from the cache.
 */
export async function installOffline(project: string, tarball: string): Promise<void> {
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as PackageLock;
  const spec = `file:${tarball}`;
  const dependencies = { 'kvs-conformance': spec };
  const packages: Record<string, unknown> = {
    '': { name: 'kvs-conformance-user', dependencies },
    'node_modules/kvs-conformance': {
      version: manifest.version,
      resolved: spec,
      integrity: `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`,
      license: manifest.license,
      dependencies: manifest.dependencies,
      peerDependencies: manifest.peerDependencies,
      peerDependenciesMeta: manifest.peerDependenciesMeta,
      bin: manifest.bin,
      engines: manifest.engines,
    },
  };
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || entry.dev) continue;
    const { devOptional: _devOptional, peer: _peer, ...kept } = entry;
    packages[path] = kept;
  }
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'kvs-conformance-user', private: true, type: 'module', dependencies }, null, 2),
  );
  writeFileSync(
    join(project, 'package-lock.json'),
    JSON.stringify({ name: 'kvs-conformance-user', lockfileVersion: 3, requires: true, packages }, null, 2),
  );
  await promisify(execFile)('npm', ['ci', '--offline'], {
    cwd: project,
    env: { ...process.env, ...QUIET_NPM_ENV },
  });
}
