import { unzipSync } from 'fflate';

/**
 * Reads the entries of a zip archive (stored or deflated entries, with or without data
 * descriptors, Zip64) through fflate, which reads the central directory; directories are left
 * out. Throws with fflate's reason when the archive is not a readable zip.
 */
export function readZipEntries(archive: Buffer): Map<string, Buffer> {
  const files = unzipSync(new Uint8Array(archive.buffer, archive.byteOffset, archive.length));
  return new Map(
    Object.entries(files)
      .filter(([name]) => !name.endsWith('/'))
      .map(([name, data]) => [name, Buffer.from(data.buffer, data.byteOffset, data.length)]),
  );
}
