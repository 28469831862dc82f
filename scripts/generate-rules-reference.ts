// `npm run docs:rules`: writes harness/contract/rule-ids.ts from spec/, then docs/rules.md and
// docs/rules.json from spec/, the suites' rule metadata and proof/.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RULE_IDS_FILE, ruleIdsFile } from './rule-ids-file.ts';
import { rulesReferenceFiles } from './rules-reference-files.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const write = (path: string, text: string): void => {
  writeFileSync(root + path, text);
  console.log(`wrote ${path}`);
};
write(RULE_IDS_FILE, await ruleIdsFile());
for (const [path, text] of Object.entries(await rulesReferenceFiles())) write(path, text);
