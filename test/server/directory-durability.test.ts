import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createStore, send } from './server-fixture.ts';
import { startServerProcess } from './server-process.ts';

describe('the directory backend', () => {
  it('keeps every acknowledged record across kill -9 and a restart, byte-exact with its content type', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kvsc-durable-'));
    const first = await startServerProcess(['--storage', dir]);
    const storeId = await createStore(first.url, 'durable');
    const acknowledged = new Map<string, string>();
    // Writes keep going while the process is killed; only those answered 201 must survive.
    const writers = Array.from({ length: 8 }, async (_, writer) => {
      for (let i = 0; ; i += 1) {
        const key = `w${writer}-${i}`;
        const value = `value of ${key} `.repeat(1 + (i % 50));
        try {
          const response = await send(first.url, 'PUT', `/v2/key-value-stores/${storeId}/records/${key}`, {
            body: value,
            headers: { 'content-type': i % 2 ? 'text/plain' : 'application/json' },
          });
          if (response.status === 201) acknowledged.set(key, value);
        } catch {
          return;
        }
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await first.stop('SIGKILL');
    await Promise.all(writers);
    expect(acknowledged.size).toBeGreaterThan(10);

    const second = await startServerProcess(['--storage', dir]);
    try {
      for (const [key, value] of acknowledged) {
        const read = await send(second.url, 'GET', `/v2/key-value-stores/~durable/records/${key}`);
        expect(read.status, key).toBe(200);
        expect(read.body.toString(), key).toBe(value);
        const index = Number(key.split('-')[1]);
        expect(read.headers['content-type'], key).toBe(index % 2 ? 'text/plain' : 'application/json');
      }
      const store = (await send(second.url, 'GET', `/v2/key-value-stores/${storeId}`)).json() as {
        data: { name: string };
      };
      expect(store.data.name).toBe('durable');
    } finally {
      await second.stop();
    }
  });

  it('lays records out as key_value_stores/{name}/{key}.{ext} with metadata beside them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kvsc-layout-'));
    const server = await startServerProcess(['--storage', dir]);
    try {
      await createStore(server.url, 'layout');
      await send(server.url, 'PUT', '/v2/key-value-stores/~layout/records/INPUT', {
        body: '{"a":1}',
        headers: { 'content-type': 'application/json; charset=utf-8' },
      });
      await send(server.url, 'PUT', '/v2/key-value-stores/~layout/records/photo.png', {
        body: Buffer.from([137, 80, 78, 71]),
        headers: { 'content-type': 'image/png' },
      });
      expect(readdirSync(join(dir, 'key_value_stores', 'layout')).sort()).toEqual([
        'INPUT.__metadata__.json',
        'INPUT.json',
        '__metadata__.json',
        'photo.png.__metadata__.json',
        // The extension is always appended: keys `photo` and `photo.png` must not share a file.
        'photo.png.png',
      ]);
    } finally {
      await server.stop();
    }
  });
});
