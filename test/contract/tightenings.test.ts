// Every schema constraint of spec/openapi.yaml is traced to the official OpenAPI document
// (spec/tightenings.yaml): the same constraint there, a looser one here, or a tighter one with
// the public source or profile setting that justifies it ("never demand what the public
// documents leave open").
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PROFILE_SETTING_NAMES } from '../../harness/contract/profile-catalog.ts';
import { schemaConstraints } from '../../harness/contract/schema-constraints.ts';
import { loadSpecTightenings } from '../../harness/contract/spec-tightenings.ts';
import { STORE_ALIAS_FAMILIES } from '../../harness/contract/store-aliases.ts';
import { packageRoot } from '../../harness/package-root.ts';

const spec = join(packageRoot(), 'spec');
// The alias paths are the store-scoped operations merged in (harness/contract/store-aliases.ts):
// their constraints are those operations', traced once.
const constraints = schemaConstraints(parse(readFileSync(join(spec, 'openapi.yaml'), 'utf8'))).filter(
  (constraint) =>
    !STORE_ALIAS_FAMILIES.some((family) =>
      constraint.pointer.startsWith(`/paths/${family.prefix.replaceAll('/', '~1')}`),
    ),
);
const tightenings = loadSpecTightenings(join(spec, 'tightenings.yaml'));
const listed = new Map(tightenings.entries.map((entry) => [entry.pointer, entry]));

describe('constraints tighter than the official document (spec/tightenings.yaml)', () => {
  it('finds the constraints of spec/openapi.yaml (the walk sees the store id, key and limit rules)', () => {
    const pointers = constraints.map((constraint) => constraint.pointer);
    expect(pointers).toContain('/components/schemas/StoreId/pattern');
    expect(pointers).toContain('/components/schemas/RecordKey/pattern');
    expect(pointers).toContain('/components/parameters/storeListLimit/schema/maximum');
  });

  it.each(constraints.map((constraint) => [constraint.pointer, constraint] as const))(
    '%s is traced to the official document or justified',
    (pointer) => {
      const entry = listed.get(pointer);
      expect(
        entry,
        `${pointer} is not in spec/tightenings.yaml: add it (official, looser, or tighter with source/setting)`,
      ).toBeDefined();
      if (entry?.kind !== 'tighter') return;
      if (entry.setting !== undefined) expect(PROFILE_SETTING_NAMES).toContain(entry.setting);
      else expect(entry.source?.quote, `${pointer} is tighter but quotes no source`).toBeTypeOf('string');
    },
  );

  it('lists no constraint spec/openapi.yaml does not have (no stale entries)', () => {
    const present = new Set(constraints.map((constraint) => constraint.pointer));
    expect(
      tightenings.entries.filter((entry) => !present.has(entry.pointer)).map((entry) => entry.pointer),
    ).toEqual([]);
  });

  it('refuses a tighter entry with neither source nor setting, naming the entry', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'kvsc-tight-')), 'tightenings.yaml');
    writeFileSync(
      file,
      'officialDocument: https://example.org\nconstraints:\n  - pointer: /a/pattern\n    tighter: stricter\n',
    );
    expect(() => loadSpecTightenings(file)).toThrow(
      /constraints\[0\] \(\/a\/pattern\) is tighter .* names no source or setting/,
    );
  });
});
