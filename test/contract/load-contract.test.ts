import { describe, expect, it } from 'vitest';
import type { OpenAPIV3 } from 'openapi-types';
import { loadContract, PROFILE_SETTING_NAMES } from '../../harness/index.ts';

const contract = await loadContract();

describe('the shipped contract', () => {
  it('describes the 12 key-value-store operations of API v2', () => {
    expect([...contract.operations.values()].map((op) => `${op.method} ${op.path}`).sort()).toEqual([
      'DELETE /v2/key-value-stores/{storeId}',
      'DELETE /v2/key-value-stores/{storeId}/records/{recordKey}',
      'GET /v2/key-value-stores',
      'GET /v2/key-value-stores/{storeId}',
      'GET /v2/key-value-stores/{storeId}/keys',
      'GET /v2/key-value-stores/{storeId}/records',
      'GET /v2/key-value-stores/{storeId}/records/{recordKey}',
      'HEAD /v2/key-value-stores/{storeId}/records/{recordKey}',
      'POST /v2/key-value-stores',
      'POST /v2/key-value-stores/{storeId}/records/{recordKey}',
      'PUT /v2/key-value-stores/{storeId}',
      'PUT /v2/key-value-stores/{storeId}/records/{recordKey}',
    ]);
  });

  it('gives every operation a success response and a 404 or 400 error response, with body schemas except for HEAD', () => {
    for (const operation of contract.operations.values()) {
      const statuses = [...operation.responses.keys()];
      expect(
        statuses.some((status) => status >= 200 && status < 300),
        operation.id,
      ).toBe(true);
      const error = operation.responses.get(404) ?? operation.responses.get(400);
      expect(error, operation.id).toBeDefined();
      if (operation.method === 'HEAD') {
        expect(error?.media.size, `${operation.id} HEAD errors have no body`).toBe(0);
      } else {
        expect(error?.media.get('application/json'), `${operation.id} error schema`).toBeTypeOf('function');
      }
    }
  });

  it('leaves Location on a 201 optional, as the official document does (locationHeader decides)', () => {
    for (const operation of contract.operations.values()) {
      const created = operation.responses.get(201);
      if (created) expect(created.requiredHeaders, operation.id).not.toContain('location');
    }
  });

  it('declares both security schemes: bearer header and token query parameter', () => {
    const schemes = contract.document.components?.securitySchemes as Record<
      string,
      OpenAPIV3.SecuritySchemeObject
    >;
    expect(schemes.httpBearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(schemes.apiKey).toMatchObject({ type: 'apiKey', in: 'query', name: 'token' });
  });

  it('reads the payload limit, list maxima and patterns from the spec', () => {
    expect(contract.limits.maxPayloadBytes).toBe(9437184);
    expect(contract.limits.storeListMaxLimit).toBe(1000);
    expect(contract.limits.keysMaxLimit).toBe(1000);
    expect(contract.limits.recordKeyMaxLength).toBe(256);
    expect(contract.limits.recordKeyPattern.test("a-Z_0.9!'()")).toBe(true);
    expect(contract.limits.recordKeyPattern.test('a/b')).toBe(false);
    expect(contract.limits.recordKeyPattern.test('k'.repeat(257))).toBe(false);
    expect(contract.limits.storeNamePattern.test('my-store-1')).toBe(true);
    expect(contract.limits.storeNamePattern.test('-store')).toBe(false);
    expect(contract.limits.storeNameMaxLength).toBe(63);
  });

  it('documents list limits: listKeys limit 1..1000 default 1000, store list default and max 1000', () => {
    const keysLimit = contract.operation('keyValueStore_keys_get').parameters.find((p) => p.name === 'limit');
    expect(keysLimit?.schema).toMatchObject({ minimum: 1, maximum: 1000, default: 1000, type: 'integer' });
    const listLimit = contract.operation('keyValueStores_get').parameters.find((p) => p.name === 'limit');
    expect(listLimit?.schema).toMatchObject({ maximum: 1000, default: 1000 });
  });

  it('has at least 40 rules covering every required area', () => {
    expect(contract.rules.size).toBeGreaterThanOrEqual(40);
    const areas = new Set([...contract.rules.values()].map((rule) => rule.area));
    for (const area of [
      'SCHEMA',
      'PAGE',
      'KEYS',
      'NAME',
      'NOTFOUND',
      'CONS',
      'LIMIT',
      'RECORD',
      'AUTH',
      'SIGN',
    ]) {
      expect(areas, area).toContain(area);
    }
  });

  it('has a definition with a default and a source for every profile setting', () => {
    expect([...contract.profiles.settings.keys()].sort()).toEqual([...PROFILE_SETTING_NAMES].sort());
    for (const setting of contract.profiles.settings.values()) {
      expect(
        setting.source.some((source) => source.kind !== 'inference'),
        setting.name,
      ).toBe(true);
      expect(contract.profiles.defaults[setting.name]).toBe(setting.default);
    }
    expect(contract.profiles.defaults.consistency).toBe('strong');
    expect(contract.profiles.presets.get('legacy-2020')?.settings.consistency).toBe('eventual');
  });

  it('loads once per process: the same files give the same contract object', async () => {
    expect(await loadContract()).toBe(contract);
  });
});
