import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { HarnessError } from '../errors.ts';

/** How one constraint of spec/openapi.yaml stands to the official OpenAPI document. */
export type TighteningEntry =
  | { readonly pointer: string; readonly kind: 'official'; readonly official: string }
  | { readonly pointer: string; readonly kind: 'looser'; readonly looser: string }
  | {
      readonly pointer: string;
      readonly kind: 'tighter';
      readonly tighter: string;
      /** The public source that justifies it ({kind, title, url?, quote}). */
      readonly source?: Readonly<Record<string, unknown>>;
      /** Or the profile setting that governs it. */
      readonly setting?: string;
    };

/** spec/tightenings.yaml: every constraint of the contract, traced to the official document. */
export interface SpecTightenings {
  readonly file: string;
  readonly officialDocument: string;
  readonly entries: readonly TighteningEntry[];
}

/**
 * Reads spec/tightenings.yaml (or another file of its form). A malformed entry is KVSC_USAGE naming
 * the file, the entry and what is allowed; whether every constraint is listed is the test's job
 * (test/contract/tightenings.test.ts), so an overlay loader can reuse this.
 */
export function loadSpecTightenings(file: string): SpecTightenings {
  const document = parse(readFileSync(file, 'utf8')) as {
    officialDocument?: unknown;
    constraints?: unknown;
  } | null;
  const fail = (where: string, what: string): never => {
    throw new HarnessError('KVSC_USAGE', `${file}: ${where} ${what}`);
  };
  if (typeof document?.officialDocument !== 'string')
    fail('officialDocument', 'must be the URL of the official document');
  if (!Array.isArray(document?.constraints))
    fail('constraints', 'must be a list of { pointer, official | looser | tighter }');
  const entries = (document?.constraints as unknown[]).map((raw, index): TighteningEntry => {
    const entry = (raw ?? {}) as Record<string, unknown>;
    const where = `constraints[${index}]`;
    const pointer = entry.pointer;
    if (typeof pointer !== 'string' || !pointer.startsWith('/'))
      return fail(where, 'needs a JSON pointer (pointer: /components/…)');
    if (typeof entry.official === 'string') return { pointer, kind: 'official', official: entry.official };
    if (typeof entry.looser === 'string') return { pointer, kind: 'looser', looser: entry.looser };
    if (typeof entry.tighter !== 'string')
      return fail(where, `(${pointer}) needs one of official, looser or tighter`);
    const source = entry.source as Record<string, unknown> | undefined;
    const setting = entry.setting;
    if (source === undefined && typeof setting !== 'string')
      return fail(where, `(${pointer}) is tighter than the official document but names no source or setting`);
    if (source !== undefined && (typeof source.title !== 'string' || typeof source.quote !== 'string'))
      return fail(where, `(${pointer}) source needs a title and a quote`);
    return {
      pointer,
      kind: 'tighter',
      tighter: entry.tighter,
      ...(source ? { source } : {}),
      ...(typeof setting === 'string' ? { setting } : {}),
    };
  });
  return { file, officialDocument: document?.officialDocument as string, entries };
}
