import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const exec = promisify(execFile);
/** The repository of the test images; each tag is `e2e-` and the content key. */
const REPOSITORY = 'kvs-conformance';
/** The files besides the package that decide what the image holds. */
const BUILD_INPUTS = [
  'Dockerfile',
  'package-lock.json',
  'scripts/build-server-image.sh',
  'scripts/build-node-base-image.sh',
];
/**
 * npm without running the package's scripts: `prepack` would delete and rebuild dist/ while the
 * other test files run the CLI from it. The self project's global setup made that clean build.
 */
const NO_SCRIPTS_ENV = { ...process.env, npm_config_ignore_scripts: 'true' };

/**
 * What the image would be built from: the integrity of the tarball `npm pack` makes (npm packs
 * reproducibly: the same files give the same bytes), the other build inputs, and the node version
 * the local base image copies.
 */
async function contentKey(): Promise<string> {
  const { stdout } = await exec('npm', ['pack', '--dry-run', '--json'], {
    cwd: ROOT,
    env: NO_SCRIPTS_ENV,
    maxBuffer: 16 * 1024 * 1024,
  });
  const [packed] = JSON.parse(stdout) as { integrity: string }[];
  if (!packed) throw new Error(`npm pack --dry-run printed no tarball: ${stdout}`);
  const hash = createHash('sha256').update(packed.integrity).update(process.version);
  for (const input of BUILD_INPUTS) hash.update(input).update(readFileSync(join(ROOT, input)));
  return hash.digest('hex').slice(0, 16);
}

/** Whether the engine holds an image of that name. */
async function imageExists(image: string): Promise<boolean> {
  return exec('docker', ['image', 'inspect', image]).then(
    () => true,
    () => false,
  );
}

/**
 * The reference server's image as scripts/build-server-image.sh builds it from this checkout
 * (`--local-base`: no registry is reachable), tagged with the content key. An image of the same
 * key is reused: it was built from the same bytes, so a rebuild would give the same image and only
 * cost a minute or two of every `npm test`. A new build removes the test images of older keys.
 */
export async function referenceImage(): Promise<string> {
  const image = `${REPOSITORY}:e2e-${await contentKey()}`;
  if (await imageExists(image)) return image;
  const build = await exec('bash', ['scripts/build-server-image.sh', '--local-base', '--tag', image], {
    cwd: ROOT,
    env: NO_SCRIPTS_ENV,
    maxBuffer: 16 * 1024 * 1024,
  });
  if (!build.stdout.includes(`built ${image}`)) throw new Error(`the image build said: ${build.stdout}`);
  const { stdout } = await exec('docker', [
    'image',
    'ls',
    '--filter',
    `reference=${REPOSITORY}:e2e-*`,
    '--format',
    '{{.Repository}}:{{.Tag}}',
  ]);
  const older = stdout.split('\n').filter((name) => name !== '' && name !== image);
  // Best effort: an older image still used by a container (another checkout's run) stays.
  if (older.length > 0) await exec('docker', ['image', 'rm', ...older]).catch(() => undefined);
  return image;
}
