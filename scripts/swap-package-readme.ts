// `prepack` / `postpack`: the package ships package-readme.md (written for someone who installed
// it) as its README.md; the repository's README.md (for developers of this project) is put aside
// while `npm pack` / `npm publish` reads the files, and put back after.
//
//   node --import tsx scripts/swap-package-readme.ts in [DIR]    README.md → .README.repository.md, package-readme.md → README.md
//   node --import tsx scripts/swap-package-readme.ts out [DIR]   .README.repository.md → README.md
// DIR: the package folder (default: this repository).
import { copyFileSync, existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = process.argv[3] ?? fileURLToPath(new URL('../', import.meta.url));
const readme = join(root, 'README.md');
const aside = join(root, '.README.repository.md');
const direction = process.argv[2];

if (direction === 'in') {
  // A pack that stopped before its postpack left the repository's README aside: keep that one.
  if (!existsSync(aside)) renameSync(readme, aside);
  copyFileSync(join(root, 'package-readme.md'), readme);
} else if (direction === 'out') {
  if (existsSync(aside)) renameSync(aside, readme);
} else {
  console.error(`swap-package-readme: "${direction ?? ''}" is not one of: in, out`);
  process.exit(2);
}
