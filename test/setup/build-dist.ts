import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Global setup of the `self` project: a clean build of dist/ (as `prepack` makes it) before any
 * test, because the CLI the tests start (bin/kvs-conformance.js) runs the build, as the installed
 * package does, and the package test packs it.
 */
export default function buildDist(): void {
  rmSync(new URL('../../dist/', import.meta.url), { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  for (const step of ['scripts/rewrite-declaration-specifiers.mjs', 'scripts/write-contract-cache.mjs']) {
    execFileSync(process.execPath, [step], { cwd: root, stdio: 'inherit' });
  }
}
