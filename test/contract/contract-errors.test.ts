import { describe, expect, it } from 'vitest';
import { HarnessError, loadContract } from '../../harness/index.ts';
import { specCopyWith } from './spec-files.ts';

async function loadError(specDir: string): Promise<HarnessError> {
  const error: unknown = await loadContract({ specDir }).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof HarnessError)) throw new Error(`expected a HarnessError, got ${String(error)}`);
  return error;
}

describe('a broken contract fails with a clear HarnessError', () => {
  it('names the file, JSON pointer, line and reason of a $ref that points at nothing', async () => {
    const dir = specCopyWith('openapi.yaml', (text) =>
      text.replace("'#/components/schemas/StoreListResponse'", "'#/components/schemas/StoreListResponze'"),
    );
    const error = await loadError(dir);
    expect(error.code).toBe('KVSC_SPEC_REF_BROKEN');
    expect(error.location?.file).toMatch(/openapi\.yaml$/);
    expect(error.location?.pointer).toBe(
      '/paths/~1v2~1key-value-stores/get/responses/200/content/application~1json/schema/$ref',
    );
    expect(error.location?.line).toBeGreaterThan(1);
    expect(error.message).toContain('$ref "#/components/schemas/StoreListResponze" points at nothing');
  });

  it('names the pointer and reason of a field the OpenAPI schema does not allow', async () => {
    const dir = specCopyWith('openapi.yaml', (text) =>
      text.replace('operationId: keyValueStore_get\n', 'operationId: [keyValueStore_get]\n'),
    );
    const error = await loadError(dir);
    expect(error.code).toBe('KVSC_SPEC_INVALID');
    expect(error.location?.pointer).toBe('/paths/~1v2~1key-value-stores~1{storeId}/get/operationId');
    expect(error.reason).toContain('must be string');
  });

  it('names the line of a YAML syntax error', async () => {
    const dir = specCopyWith('openapi.yaml', (text) => text.replace('openapi: 3.0.3', 'openapi: [3.0.3'));
    const error = await loadError(dir);
    expect(error.code).toBe('KVSC_SPEC_UNREADABLE');
    expect(error.location?.line).toBeGreaterThanOrEqual(1);
  });

  it('names the rule, the pointer and the unknown operationId a rule cites', async () => {
    const dir = specCopyWith('rules.yaml', (text) =>
      text.replace('operations: [keyValueStore_records_get]', 'operations: [keyValueStore_zip_get]'),
    );
    const error = await loadError(dir);
    expect(error.code).toBe('KVSC_RULE_UNKNOWN_OPERATION');
    expect(error.location?.file).toMatch(/rules\.yaml$/);
    expect(error.location?.pointer).toMatch(/^\/rules\/\d+\/operations\/0$/);
    expect(error.location?.line).toBeGreaterThan(1);
    expect(error.reason).toContain('KVS-RECORD-011 cites operation "keyValueStore_zip_get"');
  });

  it('refuses a rule id defined twice and a malformed id', async () => {
    const twice = await loadError(
      specCopyWith('rules.yaml', (text) => text.replace('id: KVS-PAGE-002', 'id: KVS-PAGE-001')),
    );
    expect(twice.code).toBe('KVSC_RULES_INVALID');
    expect(twice.reason).toContain('KVS-PAGE-001 is defined twice');
    const malformed = await loadError(
      specCopyWith('rules.yaml', (text) => text.replace('id: KVS-PAGE-002', 'id: KVS-PAGE-2')),
    );
    expect(malformed.reason).toContain('is not of the form KVS-<AREA>-<NNN>');
  });

  it('refuses a whenWhy on a rule with no when settings, and an empty one', async () => {
    const unconditioned = await loadError(
      specCopyWith('rules.yaml', (text) =>
        text.replace('id: KVS-PAGE-002\n', 'id: KVS-PAGE-002\n    whenWhy: because\n'),
      ),
    );
    expect(unconditioned.code).toBe('KVSC_RULES_INVALID');
    expect(unconditioned.reason).toContain('KVS-PAGE-002: whenWhy says why the rule needs its when settings');
    const empty = await loadError(
      specCopyWith('rules.yaml', (text) => text.replace(/whenWhy: .*/, "whenWhy: ' '")),
    );
    expect(empty.reason).toMatch(/: whenWhy must be a non-empty sentence/);
  });

  it('refuses a profile default outside its allowed values', async () => {
    const error = await loadError(
      specCopyWith('profiles.yaml', (text) => text.replace('default: strong', 'default: linearizable')),
    );
    expect(error.code).toBe('KVSC_PROFILE_INVALID');
    expect(error.reason).toContain('allowed: strong, eventual');
  });

  it('refuses a payload limit missing from a record write operation', async () => {
    const error = await loadError(
      specCopyWith('overlay.yaml', (text) =>
        text.replace("records/{recordKey}']['put','post']", "records/{recordKey}'].post"),
      ),
    );
    expect(error.code).toBe('KVSC_SPEC_LIMIT_MISSING');
    expect(error.reason).toContain('keyValueStore_record_put needs x-kvs-max-payload-bytes');
  });

  it('refuses an overlay entry without its public source, naming the entry and its line', async () => {
    const error = await loadError(
      specCopyWith('overlay.yaml', (text) =>
        text.replace(/(x-kvs-name: store-list-limit-maximum[\s\S]*?)x-kvs-source:/, '$1x-kvs-sauce:'),
      ),
    );
    expect(error.code).toBe('KVSC_OVERLAY_INVALID');
    expect(error.location?.pointer).toBe('/actions/1/x-kvs-source');
    expect(error.reason).toBe('store-list-limit-maximum needs x-kvs-source.kind');
  });

  it('refuses an overlay that makes the document invalid, locating the problem in the composed document', async () => {
    const error = await loadError(
      specCopyWith('overlay.yaml', (text) =>
        text.replace('update:\n      maximum: 1000', 'update:\n      maximum: a thousand'),
      ),
    );
    expect(error.code).toBe('KVSC_SPEC_INVALID');
    expect(error.location?.file).toMatch(/openapi\.yaml with .*overlay\.yaml applied$/);
    expect(error.location?.pointer).toMatch(/^\/paths\/~1v2~1key-value-stores\/get\/parameters\/1\/schema/);
  });

  it('refuses an overlay target that is not a JSONPath', async () => {
    const error = await loadError(
      specCopyWith('overlay.yaml', (text) => text.replace('target: $.components', 'target: components[')),
    );
    expect(error.code).toBe('KVSC_OVERLAY_INVALID');
    expect(error.reason).toMatch(/^named-patterns: the target is not a JSONPath \(RFC 9535\)/);
  });
});
