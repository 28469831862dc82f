// Build step after `tsc -p tsconfig.build.json`: loads the shipped contract with the built harness
// (the full load: YAML parsed, the OpenAPI document validated, every validator compiled) and writes
// what it checked to dist/contract-cache.json, so a run loads the shipped contract without parsing
// or validating it again (harness/contract/contract-cache.ts). A --spec document is never cached.
import { writeContractCache } from '../dist/harness/contract/contract-cache.js';
import { DEFAULT_SPEC_DIR, loadContract } from '../dist/harness/contract/load-contract.js';
import { join } from 'node:path';

const paths = ['openapi.yaml', 'overlay.yaml', 'rules.yaml', 'profiles.yaml'].map((name) =>
  join(DEFAULT_SPEC_DIR, name),
);
const contract = await loadContract({ openapiFile: paths[0] });
writeContractCache(paths, contract.files);
