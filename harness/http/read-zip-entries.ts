import { fromBuffer, type Entry, type ZipFile } from 'yauzl';

/** Reads one entry's bytes. */
function readEntry(zip: ZipFile, entry: Entry): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (error, stream) => {
      if (error) return reject(error);
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', reject);
      stream.on('end', () => resolve(Buffer.concat(chunks)));
    });
  });
}

/**
 * Reads the entries of a zip archive through yauzl, which reads the central directory: stored or
 * deflated entries, with or without data descriptors, Zip64. Entries are kept in a Map, so any
 * name (`__proto__` included) is an entry; directories are left out. Rejects with yauzl's reason
 * when the archive is not a readable zip.
 */
export function readZipEntries(archive: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    fromBuffer(archive, { lazyEntries: true, validateEntrySizes: true }, (error, zip) => {
      if (error) return reject(error);
      const entries = new Map<string, Buffer>();
      zip.on('error', reject);
      zip.on('end', () => resolve(entries));
      zip.on('entry', (entry: Entry) => {
        if (entry.fileName.endsWith('/')) return zip.readEntry();
        readEntry(zip, entry).then((data) => {
          entries.set(entry.fileName, data);
          zip.readEntry();
        }, reject);
      });
      zip.readEntry();
    });
  });
}
