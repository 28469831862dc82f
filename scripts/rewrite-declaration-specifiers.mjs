// Build step after `tsc -p tsconfig.build.json`: tsc rewrites the `.ts` import specifiers of the
// emitted JavaScript to `.js` (rewriteRelativeImportExtensions) but leaves them in the `.d.ts`
// files, which a consumer's TypeScript without allowImportingTsExtensions refuses. This rewrites
// every relative `.ts` specifier in dist/**/*.d.ts to `.js`, as in the JavaScript beside it.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
/** `from './x.ts'`, `import('./x.ts')`: a relative specifier ending in .ts (not .d.ts). */
const SPECIFIER = /((?:from\s+|import\()\s*['"])(\.{1,2}\/[^'"]*?)(?<!\.d)\.ts(['"])/g;

for (const file of readdirSync(dist, { recursive: true, encoding: 'utf8' })) {
  if (!file.endsWith('.d.ts')) continue;
  const path = join(dist, file);
  const text = readFileSync(path, 'utf8');
  const rewritten = text.replace(SPECIFIER, '$1$2.js$3');
  if (rewritten !== text) writeFileSync(path, rewritten);
}
