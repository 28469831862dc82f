import { brotliCompressSync, brotliDecompressSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startServer } from '../../server/index.ts';
import { createStore, send, useServer } from './server-fixture.ts';
import { readZipEntries } from '../../harness/index.ts';

const server = await useServer();

interface KeysPage {
  items: { key: string; size: number }[];
  count: number;
  limit: number;
  isTruncated: boolean;
  exclusiveStartKey: string | null;
  nextExclusiveStartKey: string | null;
}
const keysPage = async (path: string): Promise<KeysPage> =>
  ((await send(server.url, 'GET', path)).json() as { data: KeysPage }).data;

describe('records', () => {
  it('accept gzip, br and deflate bodies and read back decoded for a reader that does not accept them', async () => {
    const id = await createStore(server.url, 'encodings');
    const value = Buffer.from('compressible '.repeat(500));
    const encoders = { gzip: gzipSync, br: brotliCompressSync, deflate: deflateSync };
    for (const [encoding, encode] of Object.entries(encoders)) {
      const written = await send(server.url, 'PUT', `/v2/key-value-stores/${id}/records/${encoding}`, {
        headers: { 'content-encoding': encoding, 'content-type': 'text/plain' },
        body: encode(value),
      });
      expect(written.status).toBe(201);
      const read = await send(server.url, 'GET', `/v2/key-value-stores/${id}/records/${encoding}`);
      expect(read.headers['content-encoding']).toBeUndefined();
      expect(read.body.equals(value)).toBe(true);
    }
    const accepted = await send(server.url, 'GET', `/v2/key-value-stores/${id}/records/br`, {
      headers: { 'accept-encoding': 'br' },
    });
    expect(accepted.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(accepted.body).equals(value)).toBe(true);
  });

  it('answer HEAD with 200 and no body, and attachment=1 with Content-Disposition', async () => {
    const id = await createStore(server.url, 'head');
    await send(server.url, 'PUT', `/v2/key-value-stores/${id}/records/page`, {
      body: '<p>hi</p>',
      headers: { 'content-type': 'text/html' },
    });
    const head = await send(server.url, 'HEAD', `/v2/key-value-stores/${id}/records/page`);
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    const attachment = await send(server.url, 'GET', `/v2/key-value-stores/${id}/records/page?attachment=1`);
    expect(attachment.headers['content-disposition']).toBe('attachment; filename="page"');
    expect(attachment.body.toString()).toBe('<p>hi</p>');
  });

  it('download as a zip with one entry per record, byte-exact', async () => {
    const id = await createStore(server.url, 'zip');
    const values = {
      a: Buffer.from('alpha'),
      'b.json': Buffer.from('{"b":2}'),
      c: Buffer.from([0, 1, 2, 255]),
    };
    for (const [key, value] of Object.entries(values)) {
      await send(server.url, 'PUT', `/v2/key-value-stores/${id}/records/${key}`, { body: value });
    }
    const zip = await send(server.url, 'GET', `/v2/key-value-stores/${id}/records`);
    expect(zip.headers['content-type']).toBe('application/zip');
    const entries = await readZipEntries(zip.body);
    expect([...entries.keys()]).toEqual(['a', 'b.json', 'c']);
    for (const [key, value] of Object.entries(values))
      expect(entries.get(key)?.equals(value), key).toBe(true);
  });

  it('move the store stats and modifiedAt on writes, reads and deletes; createdAt stays', async () => {
    const id = await createStore(server.url, 'stats');
    const before = (
      (await send(server.url, 'GET', `/v2/key-value-stores/${id}`)).json() as { data: { createdAt: string } }
    ).data;
    await send(server.url, 'PUT', `/v2/key-value-stores/${id}/records/a`, { body: '12345' });
    await send(server.url, 'GET', `/v2/key-value-stores/${id}/records/a`);
    await send(server.url, 'GET', `/v2/key-value-stores/${id}/keys`);
    await send(server.url, 'DELETE', `/v2/key-value-stores/${id}/records/a`);
    const after = (
      (await send(server.url, 'GET', `/v2/key-value-stores/${id}`)).json() as {
        data: { createdAt: string; modifiedAt: string; stats: Record<string, number> };
      }
    ).data;
    expect(after.stats).toEqual({
      readCount: 1,
      writeCount: 1,
      deleteCount: 1,
      listCount: 1,
      storageBytes: 0,
    });
    expect(after.createdAt).toBe(before.createdAt);
    expect(after.modifiedAt >= after.createdAt).toBe(true);
  });
});

describe('key listing', () => {
  it('pages in UTF-8 byte order with an exclusive cursor, exact prefix filtering and sizes', async () => {
    const id = await createStore(server.url, 'paging');
    const keys = ['b', 'a-1', 'A', 'a', '_', 'a(2)', 'Z', '0'];
    for (const key of keys)
      await send(server.url, 'PUT', `/v2/key-value-stores/${id}/records/${key}`, { body: key.repeat(3) });
    const sorted = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    const walked: string[] = [];
    let cursor: string | null = null;
    do {
      const page: KeysPage = await keysPage(
        `/v2/key-value-stores/${id}/keys?limit=3${cursor === null ? '' : `&exclusiveStartKey=${encodeURIComponent(cursor)}`}`,
      );
      expect(page.exclusiveStartKey).toBe(cursor);
      expect(page.count).toBe(page.items.length);
      expect(page.isTruncated).toBe(page.nextExclusiveStartKey !== null);
      if (page.isTruncated) expect(page.nextExclusiveStartKey).toBe(page.items.at(-1)?.key);
      for (const item of page.items) expect(item.size).toBe(item.key.length * 3);
      walked.push(...page.items.map((item) => item.key));
      cursor = page.nextExclusiveStartKey;
    } while (cursor !== null);
    expect(walked).toEqual(sorted);
    const prefixed = await keysPage(`/v2/key-value-stores/${id}/keys?prefix=a`);
    expect(prefixed.items.map((item) => item.key)).toEqual(['a', 'a(2)', 'a-1']);
  });

  it('clamps a limit above 1000 and sends nextExclusiveStartKey null on the last page', async () => {
    const id = await createStore(server.url, 'clamp');
    const page = await keysPage(`/v2/key-value-stores/${id}/keys?limit=5000`);
    expect(page).toEqual({
      items: [],
      count: 0,
      limit: 1000,
      isTruncated: false,
      exclusiveStartKey: null,
      nextExclusiveStartKey: null,
    });
  });
});

describe('store listing', () => {
  it('pages by offset in creation order, reverses with desc and lists unnamed stores only when asked', async () => {
    const fresh = await useFreshServer();
    const named = [];
    for (let i = 0; i < 5; i += 1) named.push(await createStore(fresh, `list-${i}`));
    const unnamed = await createStore(fresh);
    type Page = {
      total: number;
      offset: number;
      limit: number;
      count: number;
      desc: boolean;
      items: { id: string }[];
    };
    const list = async (query: string): Promise<Page> =>
      ((await send(fresh, 'GET', `/v2/key-value-stores${query}`)).json() as { data: Page }).data;
    const first = await list('?limit=2');
    const second = await list('?limit=2&offset=2');
    const third = await list('?limit=2&offset=4');
    expect([...first.items, ...second.items, ...third.items].map((store) => store.id)).toEqual(named);
    expect(third).toMatchObject({ total: 5, offset: 4, limit: 2, count: 1 });
    expect((await list('?desc=1')).items.map((store) => store.id)).toEqual([...named].reverse());
    expect((await list('?unnamed=1')).items.map((store) => store.id)).toEqual([...named, unnamed]);
    expect(await list('?limit=5000')).toMatchObject({ limit: 1000, count: 5 });
  });
});

/** A server of this test's own, so other tests' stores do not show in its listing. */
async function useFreshServer(): Promise<string> {
  const fresh = await startServer();
  onTestFinished(() => fresh.close());
  return fresh.url;
}
