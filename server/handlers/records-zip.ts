import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants } from 'node:buffer';
import { QueryParams } from '../query-params.ts';
import { decompress } from '../request-body.ts';
import { compareUtf8, resolveStore, type KvsRequest } from '../server-context.ts';
import { zipArchive, type ZipEntry } from '../zip-archive.ts';
import { checkKeysAccess, refuseCollection } from './keys.ts';

/** GET /v2/key-value-stores/{storeId}/records — every record as one zip entry named after its key. */
export async function downloadRecords(r: KvsRequest): Promise<void> {
  const query = new QueryParams(r.url.searchParams, ['collection', 'prefix', 'signature']);
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
      if (!record) continue;
      const data = record.encoding
        ? await decompress(record.value, record.encoding, constants.MAX_LENGTH)
        : record.value;
      yield { name: key, data };
    }
  }
  r.res.writeHead(200, {
    'content-type': 'application/zip',
    'content-disposition': `attachment; filename="${meta.id}.zip"`,
  });
  await pipeline(Readable.from(zipArchive(entries())), r.res);
}
