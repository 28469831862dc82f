// Every schema constraint of spec/openapi.yaml is traced, in spec/overlay.yaml, to the official
// OpenAPI document: stated the same way there (x-kvs-official), or accounted for by exactly one
// overlay action (x-kvs-constraints) that says whether it is tighter, looser or a correction, with
// the public source (every action has one) or profile setting that justifies it ("never demand
// what the public documents leave open").
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseContractOverlay } from '../../harness/contract/contract-overlay.ts';
import { PROFILE_SETTING_NAMES } from '../../harness/contract/profile-catalog.ts';
import { schemaConstraints } from '../../harness/contract/schema-constraints.ts';
import { STORE_ALIAS_FAMILIES } from '../../harness/contract/store-aliases.ts';
import { parsedSource, readYamlSource } from '../../harness/contract/yaml-source.ts';
import { HarnessError } from '../../harness/errors.ts';
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
const overlay = parseContractOverlay(readYamlSource(join(spec, 'overlay.yaml')));
/** Every place a constraint is accounted for: `official` or an action's name. */
const homes = new Map<string, string[]>();
const home = (pointer: string, by: string): void => {
  homes.set(pointer, [...(homes.get(pointer) ?? []), by]);
};
for (const entry of overlay.official.constraints) home(entry.pointer, 'x-kvs-official');
for (const entry of overlay.entries) for (const pointer of entry.constraints) home(pointer, entry.name);

describe('the constraints of spec/openapi.yaml, traced in spec/overlay.yaml', () => {
  it('finds the constraints of spec/openapi.yaml (the walk sees the store id, key and limit rules)', () => {
    const pointers = constraints.map((constraint) => constraint.pointer);
    expect(pointers).toContain('/components/schemas/StoreId/pattern');
    expect(pointers).toContain('/components/schemas/RecordKey/pattern');
    expect(pointers).toContain('/components/parameters/storeListLimit/schema/maximum');
  });

  it.each(constraints.map((constraint) => [constraint.pointer] as const))(
    '%s is accounted for exactly once',
    (pointer) => {
      expect(
        homes.get(pointer),
        `${pointer} is accounted for nowhere (or twice) in spec/overlay.yaml: list it under x-kvs-official, or in the x-kvs-constraints of the one action that explains it`,
      ).toHaveLength(1);
    },
  );

  it('accounts for no constraint spec/openapi.yaml does not have (no stale entries)', () => {
    const present = new Set(constraints.map((constraint) => constraint.pointer));
    expect([...homes.keys()].filter((pointer) => !present.has(pointer))).toEqual([]);
  });

  it('justifies every tighter action by a public source, and names only settings that exist', () => {
    for (const entry of overlay.entries) {
      if (entry.setting !== undefined) expect(PROFILE_SETTING_NAMES).toContain(entry.setting);
      if (entry.kind === 'tighter') expect(entry.source.quote, entry.name).toMatch(/\S/);
    }
    expect(overlay.official.document).toMatch(/^https:\/\/github\.com\/apify\/apify-docs\//);
    expect(overlay.official.version).toMatch(/^v2-/);
  });

  it('refuses an action without kind, or a tighter one without a source, naming the action', () => {
    const action = {
      'x-kvs-name': 'stricter',
      description: 'a stricter pattern',
      target: '$.components',
      update: { x: 1 },
      'x-kvs-kind': 'tighter',
    };
    const load = (actions: unknown[]): unknown =>
      parseContractOverlay(
        parsedSource('overlay.yaml', {
          overlay: '1.0.0',
          info: { title: 't', version: '1', 'x-kvs-compared-against': { document: 'd', version: 'v' } },
          actions,
        }),
      );
    expect(() => load([action])).toThrow(HarnessError);
    expect(() => load([action])).toThrow(/stricter needs x-kvs-source\.kind/);
    const source = { kind: 'rfc', title: 'RFC', quote: 'a quote' };
    expect(() => load([{ ...action, 'x-kvs-source': source, 'x-kvs-kind': undefined }])).toThrow(
      /stricter: x-kvs-kind is undefined; allowed: tighter, looser, correction/,
    );
    expect(() => load([{ ...action, 'x-kvs-source': source, 'x-kvs-constraints': ['components'] }])).toThrow(
      /stricter: x-kvs-constraints must be a list of JSON pointers/,
    );
    expect(load([{ ...action, 'x-kvs-source': source }])).toMatchObject({
      entries: [{ name: 'stricter', kind: 'tighter', constraints: [] }],
    });
  });
});
