// `npm run docs:rules`: writes docs/rules.md and docs/rules.json from spec/, suites/ and proof/.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { rulesReferenceFiles } from './rules-reference-files.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
for (const [path, text] of Object.entries(await rulesReferenceFiles())) {
  writeFileSync(root + path, text);
  console.log(`wrote ${path}`);
}
