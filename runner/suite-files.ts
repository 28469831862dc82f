import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CODE_EXTENSION, CODE_ROOT } from './code-root.ts';

/**
 * The suite files (relative to CODE_ROOT) that can hold a test of the given rules: those whose
 * text names one of them. A run filtered to a few rules loads only these, not every suite file.
 */
export function suiteFilesCiting(rules: ReadonlySet<string>): string[] {
  const dir = join(CODE_ROOT, 'suites');
  return readdirSync(dir)
    .filter((name) => name.endsWith(`.test.${CODE_EXTENSION}`))
    .filter((name) => {
      const text = readFileSync(join(dir, name), 'utf8');
      return [...rules].some((rule) => text.includes(rule));
    })
    .map((name) => `suites/${name}`);
}
