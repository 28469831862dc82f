import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SPEC_DIR } from '../../harness/index.ts';

/** A copy of the shipped spec folder with one file's text changed, for error-path tests. */
export function specCopyWith(
  file: 'openapi.yaml' | 'overlay.yaml' | 'rules.yaml' | 'profiles.yaml',
  edit: (text: string) => string,
): string {
  const dir = mkdtempSync(join(tmpdir(), 'kvsc-spec-'));
  for (const name of ['openapi.yaml', 'overlay.yaml', 'rules.yaml', 'profiles.yaml']) {
    const text = readFileSync(join(DEFAULT_SPEC_DIR, name), 'utf8');
    const edited = name === file ? edit(text) : text;
    if (name === file && edited === text) throw new Error(`test bug: the edit did not change ${name}`);
    writeFileSync(join(dir, name), edited);
  }
  return dir;
}
