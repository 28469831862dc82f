import { crc32 } from 'node:zlib';

/**
 * Reads the entries of a zip archive whose entries are stored (not compressed), checking each
 * CRC-32; throws with the offset of anything it cannot read.
 */
export function readZipEntries(archive: Buffer): Map<string, Buffer> {
  const entries = new Map<string, Buffer>();
  let offset = 0;
  while (archive.readUInt32LE(offset) === 0x04034b50) {
    const method = archive.readUInt16LE(offset + 8);
    const checksum = archive.readUInt32LE(offset + 14);
    const size = archive.readUInt32LE(offset + 18);
    const nameLength = archive.readUInt16LE(offset + 26);
    const extraLength = archive.readUInt16LE(offset + 28);
    if (method !== 0) throw new Error(`entry at ${offset} is compressed (method ${method})`);
    const name = archive.toString('utf8', offset + 30, offset + 30 + nameLength);
    const start = offset + 30 + nameLength + extraLength;
    const data = archive.subarray(start, start + size);
    if (crc32(data) !== checksum) throw new Error(`CRC mismatch for ${name}`);
    entries.set(name, data);
    offset = start + size;
  }
  if (archive.readUInt32LE(archive.length - 22) !== 0x06054b50)
    throw new Error('no end-of-central-directory record');
  if (archive.readUInt16LE(archive.length - 12) !== entries.size)
    throw new Error('central directory count differs');
  return entries;
}
