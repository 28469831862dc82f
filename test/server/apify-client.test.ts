import { describe, expect, it } from 'vitest';
import { ApifyClient, type KeyValueStoreClient } from 'apify-client';
import { useServer } from './server-fixture.ts';

/** apify-client accepts Buffers at run time, though its type names only JSON values. */
type RecordValue = Parameters<KeyValueStoreClient['setRecord']>[0]['value'];
const asValue = (buffer: Buffer): RecordValue => buffer as unknown as RecordValue;

const server = await useServer({ tokens: ['client-token'] });
const client = new ApifyClient({ baseUrl: server.url, token: 'client-token', maxRetries: 0 });

describe('apify-client (the real package) against the reference server', () => {
  it('getOrCreate twice with one name returns the same store; get() returns it', async () => {
    const first = await client.keyValueStores().getOrCreate('client-same-name');
    const second = await client.keyValueStores().getOrCreate('client-same-name');
    expect(second.id).toBe(first.id);
    expect(first.name).toBe('client-same-name');
    expect((await client.keyValueStore(first.id).get())?.id).toBe(first.id);
    expect((await client.keyValueStore('~client-same-name').get())?.id).toBe(first.id);
  });

  it('getOrCreate without a name creates a new unnamed store each time', async () => {
    const a = await client.keyValueStores().getOrCreate();
    const b = await client.keyValueStores().getOrCreate();
    expect(a.id).not.toBe(b.id);
    expect(a.name ?? null).toBeNull();
  });

  it('getRecord of a missing key and get() of a missing store return undefined; recordExists is false', async () => {
    const store = client.keyValueStore((await client.keyValueStores().getOrCreate('client-missing')).id);
    expect(await store.getRecord('nothing-here')).toBeUndefined();
    expect(await store.recordExists('nothing-here')).toBe(false);
    expect(await client.keyValueStore('AAAAAAAAAAAAAAAAA').get()).toBeUndefined();
    expect(await client.keyValueStore('AAAAAAAAAAAAAAAAA').getRecord('x')).toBeUndefined();
  });

  it('setRecord round-trips an object, a string, a small and a ≥ 1 KiB (brotli-compressed) Buffer, and JSON null', async () => {
    const store = client.keyValueStore((await client.keyValueStores().getOrCreate('client-round-trip')).id);
    const big = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7) % 251));
    const bigObject = { rows: Array.from({ length: 200 }, (_, i) => ({ i, text: `row ${i}` })) };
    await store.setRecord({ key: 'object', value: { a: 1, nested: { b: [true, null] } } });
    await store.setRecord({ key: 'big-object', value: bigObject });
    await store.setRecord({ key: 'text', value: 'héllo wörld' });
    await store.setRecord({ key: 'small-buffer', value: asValue(Buffer.from([0, 255, 128])) });
    await store.setRecord({
      key: 'big-buffer',
      value: asValue(big),
      contentType: 'application/octet-stream',
    });
    await store.setRecord({ key: 'null', value: null });

    expect((await store.getRecord('object'))?.value).toEqual({ a: 1, nested: { b: [true, null] } });
    expect((await store.getRecord('big-object'))?.value).toEqual(bigObject);
    expect(await store.getRecord('text')).toMatchObject({
      value: 'héllo wörld',
      contentType: 'text/plain; charset=utf-8',
    });
    expect(
      Buffer.compare(
        (await store.getRecord('small-buffer', { buffer: true }))?.value as Buffer,
        Buffer.from([0, 255, 128]),
      ),
    ).toBe(0);
    expect(
      Buffer.compare((await store.getRecord('big-buffer', { buffer: true }))?.value as Buffer, big),
    ).toBe(0);
    const stored = await store.getRecord('null');
    expect(stored).toBeDefined();
    expect(stored?.value).toBeNull();
    expect(await store.recordExists('big-buffer')).toBe(true);
  });

  it('deleteRecord removes a record; update renames; delete removes the store', async () => {
    const created = await client.keyValueStores().getOrCreate('client-lifecycle');
    const store = client.keyValueStore(created.id);
    await store.setRecord({ key: 'gone', value: 'x' });
    await store.deleteRecord('gone');
    expect(await store.getRecord('gone')).toBeUndefined();
    const renamed = await store.update({ name: 'client-lifecycle-renamed' });
    expect(renamed.name).toBe('client-lifecycle-renamed');
    await store.delete();
    expect(await store.get()).toBeUndefined();
  });

  it('iterating listKeys over 2 500 keys yields each key once, in order, and terminates', async () => {
    const created = await client.keyValueStores().getOrCreate('client-many-keys');
    const store = client.keyValueStore(created.id);
    const keys = Array.from({ length: 2500 }, (_, i) => `key-${String(i).padStart(5, '0')}`);
    for (let start = 0; start < keys.length; start += 100) {
      await Promise.all(keys.slice(start, start + 100).map((key) => store.setRecord({ key, value: 'v' })));
    }
    const seen: string[] = [];
    for await (const item of store.listKeys()) {
      seen.push(item.key);
      if (seen.length > keys.length) break;
    }
    expect(seen).toEqual(keys);
    const firstPage = await store.listKeys({ limit: 1000 });
    expect(firstPage).toMatchObject({ count: 1000, isTruncated: true, nextExclusiveStartKey: 'key-00999' });
  });

  it('iterating list() over stores yields every store once, in creation order', async () => {
    const names = Array.from({ length: 5 }, (_, i) => `client-list-${i}`);
    for (const name of names) await client.keyValueStores().getOrCreate(name);
    const listed: string[] = [];
    for await (const store of client.keyValueStores().list()) listed.push(store.name ?? '');
    const ours = listed.filter((name) => name.startsWith('client-list-'));
    expect(ours).toEqual(names);
    const page = await client.keyValueStores().list({ desc: true, limit: 2 });
    expect(page).toMatchObject({ count: 2, limit: 2, desc: true });
    expect(page.items.map((store) => store.name)).toEqual(['client-list-4', 'client-list-3']);
    const unnamedToo = await client.keyValueStores().list({ unnamed: true });
    expect(unnamedToo.total).toBeGreaterThan((await client.keyValueStores().list()).total);
  });
});
