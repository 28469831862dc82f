import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32 } from 'node:zlib';
import { QueryParams } from '../query-params.ts';
import { decodedStream } from '../request-body.ts';
import { compareUtf8, resolveStore, type KvsRequest } from '../server-context.ts';
import type { StoredRecord } from '../storage/storage-backend.ts';
import { zipArchive, type ZipEntry } from '../zip-archive.ts';
import { checkKeysAccess, refuseCollection } from './keys.ts';

/** A record as a zip entry; a compressed one is decoded twice as a stream (size and CRC, then bytes). */
async function recordEntry(record: StoredRecord): Promise<ZipEntry> {
  const { encoding, value } = record;
  if (!encoding) return { name: record.key, size: value.length, crc32: crc32(value), read: () => [value] };
  let size = 0;
  let checksum = 0;
  for await (const chunk of decodedStream(value, encoding) as AsyncIterable<Buffer>) {
    size += chunk.length;
    checksum = crc32(chunk, checksum);
  }
  return { name: record.key, size, crc32: checksum, read: () => decodedStream(value, encoding) };
}

/**
 * GET /v2/key-value-stores/{storeId}/records — every record (decoded) as one zip entry named after
 * its key, in key order; Zip64 where the archive needs it. One record is in memory at a time, as
 * stored: a compressed record is never held decoded.
 */
export async function downloadRecords(r: KvsRequest): Promise<void> {
  const query = new QueryParams(r.query, ['collection', 'prefix', 'signature']);
  const prefix = query.string('prefix') ?? '';
  refuseCollection(query.string('collection'));
  const meta = await resolveStore(r);
  checkKeysAccess(r, meta, query.string('signature'));

  const keys = r.ctx.consistency
    .list(meta.id, await r.ctx.backend.listRecords(meta.id))
    .map((info) => info.key)
    .filter((key) => key.startsWith(prefix))
    .sort(compareUtf8);
  const { backend, consistency } = r.ctx;
  async function* entries(): AsyncGenerator<ZipEntry> {
    for (const key of keys) {
      const record = consistency.read(meta.id, key, await backend.getRecord(meta.id, key));
      if (record) yield await recordEntry(record);
    }
  }
  r.res.writeHead(200, {
    'content-type': 'application/zip',
    'content-disposition': `attachment; filename="${meta.id}.zip"`,
  });
  await pipeline(Readable.from(zipArchive(entries())), r.res);
}
