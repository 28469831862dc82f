import { describe, expect, it } from 'vitest';
import { createHmacSignature, createKeysSignature } from '../../server/index.ts';
import { createStore, send, useServer } from './server-fixture.ts';

const TOKEN = 'secret-token';
const server = await useServer({ tokens: [TOKEN] });
const auth = { authorization: `Bearer ${TOKEN}` };
const storeId = await createStore(server.url, 'auth', auth);
await send(server.url, 'PUT', `/v2/key-value-stores/${storeId}/records/doc`, {
  body: 'signed content',
  headers: auth,
});
const store = (
  await send(server.url, 'GET', `/v2/key-value-stores/${storeId}`, { headers: auth })
).json() as {
  data: { urlSigningSecretKey: string; keysPublicUrl: string };
};
const secret = store.data.urlSigningSecretKey;

const operations: [method: string, path: string][] = [
  ['GET', '/v2/key-value-stores'],
  ['POST', '/v2/key-value-stores?name=x'],
  ['GET', `/v2/key-value-stores/${storeId}`],
  ['PUT', `/v2/key-value-stores/${storeId}`],
  ['DELETE', `/v2/key-value-stores/${storeId}`],
  ['GET', `/v2/key-value-stores/${storeId}/keys`],
  ['GET', `/v2/key-value-stores/${storeId}/records`],
  ['GET', `/v2/key-value-stores/${storeId}/records/doc`],
  ['HEAD', `/v2/key-value-stores/${storeId}/records/doc`],
  ['PUT', `/v2/key-value-stores/${storeId}/records/doc`],
  ['POST', `/v2/key-value-stores/${storeId}/records/doc`],
  ['DELETE', `/v2/key-value-stores/${storeId}/records/doc`],
];

describe('URL signatures', () => {
  it('match the platform test vectors', () => {
    expect(createHmacSignature('secret', 'my-key')).toBe('1Eery8POh9ieEae8qANqa');
    expect(createKeysSignature('secret', 'STOREID1234567890', 0)).toBe('MC4wLmdKRUVBaVJndGNTNXdIbENqUjZR');
    expect(createKeysSignature('secret', 'STOREID1234567890', 1700000000000)).toBe(
      'MC4xNzAwMDAwMDAwMDAwLnVNSHFHZVFXYTZpUFVMS3RxdUho',
    );
  });
});

describe('with tokens configured', () => {
  it.each(operations)('%s %s without a token answers 401 token-not-provided', async (method, path) => {
    const response = await send(server.url, method, path, {
      body: method === 'GET' || method === 'HEAD' || method === 'DELETE' ? undefined : '{}',
    } as never);
    expect(response.status).toBe(401);
    if (method !== 'HEAD') expect(response.json()).toMatchObject({ error: { type: 'token-not-provided' } });
  });

  it.each(operations)('%s %s with a wrong token answers 401 invalid-token', async (method, path) => {
    const response = await send(server.url, method, path, { headers: { authorization: 'Bearer wrong' } });
    expect(response.status).toBe(401);
    if (method !== 'HEAD') expect(response.json()).toMatchObject({ error: { type: 'invalid-token' } });
  });

  it('accepts the token as Bearer header and as ?token=', async () => {
    expect((await send(server.url, 'GET', `/v2/key-value-stores/${storeId}`, { headers: auth })).status).toBe(
      200,
    );
    expect((await send(server.url, 'GET', `/v2/key-value-stores/${storeId}?token=${TOKEN}`)).status).toBe(
      200,
    );
  });

  it('a signed record URL reads the record without a token; another key or a tampered signature is refused', async () => {
    const signature = createHmacSignature(secret, 'doc');
    const read = await send(
      server.url,
      'GET',
      `/v2/key-value-stores/${storeId}/records/doc?signature=${signature}`,
    );
    expect(read.status).toBe(200);
    expect(read.body.toString()).toBe('signed content');
    const otherKey = await send(
      server.url,
      'GET',
      `/v2/key-value-stores/${storeId}/records/other?signature=${signature}`,
    );
    expect(otherKey.status).toBe(403);
    // Another last character (the signature is random: it may already end in X).
    const tamperedSignature = `${signature.slice(0, -1)}${signature.endsWith('X') ? 'Y' : 'X'}`;
    const tampered = await send(
      server.url,
      'GET',
      `/v2/key-value-stores/${storeId}/records/doc?signature=${tamperedSignature}`,
    );
    expect(tampered.json()).toMatchObject({ error: { type: 'invalid-signature' } });
  });

  it('keysPublicUrl and each recordPublicUrl work without a token', async () => {
    const keys = await send(server.url, 'GET', store.data.keysPublicUrl.replace(server.url, ''));
    expect(keys.status).toBe(200);
    const items = (keys.json() as { data: { items: { key: string; recordPublicUrl: string }[] } }).data.items;
    expect(items.map((item) => item.key)).toEqual(['doc']);
    const record = await send(server.url, 'GET', items[0]?.recordPublicUrl.replace(server.url, '') ?? '');
    expect(record.body.toString()).toBe('signed content');
  });

  it('an expired or tampered keys signature is refused', async () => {
    const expired = createKeysSignature(secret, storeId, Date.now() - 1000);
    expect(
      (await send(server.url, 'GET', `/v2/key-value-stores/${storeId}/keys?signature=${expired}`)).json(),
    ).toMatchObject({
      error: { type: 'invalid-signature', message: expect.stringContaining('expired') as unknown },
    });
    const forOtherStore = createKeysSignature(secret, 'AAAAAAAAAAAAAAAAA', 0);
    expect(
      (await send(server.url, 'GET', `/v2/key-value-stores/${storeId}/keys?signature=${forOtherStore}`))
        .status,
    ).toBe(403);
  });
});
