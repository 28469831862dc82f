import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../package-root.ts';

/** docs/rules.md inside the installed package: always there, always the installed version. */
export const RULES_REFERENCE_FILE = join(packageRoot(), 'docs', 'rules.md');

/** The machine-readable twin of docs/rules.md (what `kvs-conformance contract --rules` prints). */
export const RULES_REFERENCE_JSON_FILE = join(packageRoot(), 'docs', 'rules.json');

interface PackageManifest {
  readonly version: string;
  readonly repository?: string | { readonly url?: string };
}

/** A repository address from package.json as an https web URL (`git+https://…/x.git` → `https://…/x`). */
function repositoryWebUrl(repository: PackageManifest['repository']): string | undefined {
  const url = typeof repository === 'string' ? repository : repository?.url;
  if (!url) return undefined;
  const web = url
    .replace(/^git\+/, '')
    .replace(/^github:/, 'https://github.com/')
    .replace(/^git@github\.com:/, 'https://github.com/')
    .replace(/\.git$/, '');
  return /^https:\/\//.test(web) ? web : undefined;
}

/**
 * Where reports link a rule to its entry, by default: the repository's docs/rules.md at this
 * version's tag (`<repository>/blob/v<version>/docs/rules.md`) when package.json names a
 * repository, else the copy inside the installed package (a file: URL). `--rules-url` overrides it.
 */
export function defaultRulesReferenceUrl(): string {
  const manifest = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as PackageManifest;
  const repository = repositoryWebUrl(manifest.repository);
  return repository
    ? `${repository}/blob/v${manifest.version}/docs/rules.md`
    : pathToFileURL(RULES_REFERENCE_FILE).href;
}
