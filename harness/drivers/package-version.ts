import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The version of the package that holds a resolved module file: the nearest package.json above it
 * that names the package (`name` is the real package name, also behind an npm alias).
 */
export function packageVersion(resolvedFile: string, packageName: string): string | undefined {
  let dir = dirname(resolvedFile);
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (manifest.name === packageName) return manifest.version;
    } catch {
      // No package.json here: look further up.
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
