import { request } from 'node:http';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { fromBuffer, type Entry } from 'yauzl';
import { afterAll, describe, expect, it } from 'vitest';
import { readZipEntries } from '../../harness/index.ts';
import { createStore, send } from './server-fixture.ts';
import { startServerProcess } from './server-process.ts';

/** A smaller limit than the default 9 MiB keeps this fast; the guard scales with it. */
const LIMIT = 4 * 1024 * 1024;
/** Just under the 16 × limit a body may decode to when encoded bytes count (the zip-bomb guard). */
const DECODED = 16 * LIMIT - 4096;
const READERS = 6;

const server = await startServerProcess(['--max-record-bytes', String(LIMIT)]);
afterAll(() => server.stop());
const BOMB = gzipSync(Buffer.alloc(DECODED));

/** GETs a path without Accept-Encoding and counts the body bytes without keeping them. */
function countBody(path: string): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    request(`${server.url}${path}`, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

describe('compressed records read by clients that do not accept the encoding', () => {
  it(`are decoded as streams: ${READERS} parallel GETs of ${DECODED} decoded bytes each keep server memory bounded`, async () => {
    const id = await createStore(server.url, 'bombs');
    const bomb = BOMB;
    for (let i = 0; i < READERS; i += 1) {
      const put = await send(server.url, 'PUT', `/v2/key-value-stores/${id}/records/bomb-${i}`, {
        body: bomb,
        headers: { 'content-encoding': 'gzip', 'content-type': 'application/octet-stream' },
      });
      expect(put.status).toBe(201);
    }
    const before = server.peakMemoryBytes();
    const reads = await Promise.all(
      Array.from({ length: READERS }, (_, i) => countBody(`/v2/key-value-stores/${id}/records/bomb-${i}`)),
    );
    for (const read of reads) expect(read).toEqual({ status: 200, bytes: DECODED });
    // Holding the decoded records would take READERS × 64 MiB (the bug: 2.47 GB for 8 × 144 MiB).
    expect(server.peakMemoryBytes() - before).toBeLessThan(DECODED);
  });

  it('answer a body that decodes past 16 × the limit with 413 naming the guard', async () => {
    const id = await createStore(server.url, 'over-guard');
    const put = await send(server.url, 'PUT', `/v2/key-value-stores/${id}/records/bomb`, {
      body: gzipSync(Buffer.alloc(16 * LIMIT + 1)),
      headers: { 'content-encoding': 'gzip' },
    });
    expect(put.status).toBe(413);
    expect((put.json() as { error: { message: string } }).error.message).toContain('decompression bombs');
  });

  it('go into the /records zip decoded, with sizes in the local headers, and memory stays bounded', async () => {
    const id = await createStore(server.url, 'zip-decoded');
    const small = Buffer.from('small and compressed '.repeat(100));
    await send(server.url, 'PUT', `/v2/key-value-stores/${id}/records/small`, {
      body: gzipSync(small),
      headers: { 'content-encoding': 'gzip' },
    });
    await send(server.url, 'PUT', `/v2/key-value-stores/${id}/records/plain`, { body: 'plain' });
    const zip = await send(server.url, 'GET', `/v2/key-value-stores/${id}/records`);
    const entries = await readZipEntries(zip.body);
    expect(entries.get('small')?.equals(small)).toBe(true);
    expect(entries.get('plain')?.toString()).toBe('plain');

    await send(server.url, 'PUT', `/v2/key-value-stores/${id}/records/bomb`, {
      body: BOMB,
      headers: { 'content-encoding': 'gzip' },
    });
    const before = server.peakMemoryBytes();
    const big = await countBody(`/v2/key-value-stores/${id}/records`);
    expect(big.status).toBe(200);
    expect(big.bytes).toBeGreaterThan(DECODED);
    expect(server.peakMemoryBytes() - before).toBeLessThan(DECODED);
  });
});

describe('the /records zip', () => {
  it('holds more than 65 535 entries as Zip64 that an independent reader (yauzl) reads whole', async () => {
    const { zipArchive } = await import('../../server/zip-archive.ts');
    const { crc32 } = await import('node:zlib');
    const COUNT = 70_000;
    function* entries() {
      for (let i = 0; i < COUNT; i += 1) {
        const data = Buffer.from(String(i));
        yield { name: `k${i}`, size: data.length, crc32: crc32(data), read: () => [data] };
      }
    }
    const chunks: Buffer[] = [];
    for await (const chunk of zipArchive(entries())) chunks.push(chunk);
    const archive = Buffer.concat(chunks);
    const read = await new Promise<Map<string, string>>((resolve, reject) => {
      fromBuffer(archive, { lazyEntries: true }, (error, zip) => {
        if (error) return reject(error);
        const seen = new Map<string, string>();
        expect(zip.entryCount).toBe(COUNT);
        zip.on('entry', (entry: Entry) => {
          if (seen.size % 9973 !== 0) {
            seen.set(entry.fileName, '');
            zip.readEntry();
            return;
          }
          zip.openReadStream(entry, (streamError, stream) => {
            if (streamError) return reject(streamError);
            const parts: Buffer[] = [];
            stream.on('data', (part: Buffer) => parts.push(part));
            stream.on('end', () => {
              seen.set(entry.fileName, Buffer.concat(parts).toString());
              zip.readEntry();
            });
          });
        });
        zip.on('end', () => resolve(seen));
        zip.on('error', reject);
        zip.readEntry();
      });
    });
    expect(read.size).toBe(COUNT);
    expect(read.get('k0')).toBe('0');
    expect(read.get('k9973')).toBe('9973');
    expect(read.has(`k${COUNT - 1}`)).toBe(true);
  });
});

describe('under --payload-limit-counts decoded, compressed bodies', () => {
  it('that decode past the limit are refused with 413, not taken for broken gzip', async () => {
    const decoded = await startServerProcess([
      '--max-record-bytes',
      String(LIMIT),
      '--payload-limit-counts',
      'decoded',
    ]);
    try {
      const id = await createStore(decoded.url, 'decoded-limit');
      // Incompressible: the body is over the limit as sent too, but under the raw cap of a gzip
      // body (twice the limit), so the server reads it whole and decodes it.
      const over = await send(decoded.url, 'PUT', `/v2/key-value-stores/${id}/records/over`, {
        body: gzipSync(randomBytes(LIMIT + 65536), { level: 0 }),
        headers: { 'content-encoding': 'gzip' },
      });
      expect(over.status, over.body.toString()).toBe(413);
      expect((over.json() as { error: { type: string } }).error.type).toBe('request-too-large');
      const under = await send(decoded.url, 'PUT', `/v2/key-value-stores/${id}/records/under`, {
        body: gzipSync(randomBytes(LIMIT - 1), { level: 0 }),
        headers: { 'content-encoding': 'gzip' },
      });
      expect(under.status).toBe(201);
    } finally {
      await decoded.stop();
    }
  });
});
