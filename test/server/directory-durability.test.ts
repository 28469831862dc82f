import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createStore, send } from './server-fixture.ts';
import { startServerProcess } from './server-process.ts';

describe('the directory backend', () => {
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
