import { crc32 } from 'node:zlib';

/** One file of a zip archive: its size and CRC-32 known up front, its bytes read when it is written. */
export interface ZipEntry {
  readonly name: string;
  readonly size: number;
  readonly crc32: number;
  /** The entry's bytes (exactly `size` of them), read once, as the archive reaches the entry. */
  read(): AsyncIterable<Buffer> | Iterable<Buffer>;
}

const DOS_DATE_1980 = (0 << 9) | (1 << 5) | 1;
/** A 4-byte size or offset field at this value means "see the Zip64 extra field". */
const MAX_32 = 0xffffffff;
/** An entry count at this value means "see the Zip64 end of central directory record". */
const MAX_16 = 0xffff;
const VERSION_20 = 20;
/** Version 4.5: Zip64. */
const VERSION_45 = 45;
const UTF8_NAMES = 0x0800;

/** The Zip64 extended-information extra field (tag 0x0001) with the given 8-byte values. */
function zip64Extra(values: readonly number[]): Buffer {
  if (values.length === 0) return Buffer.alloc(0);
  const extra = Buffer.alloc(4 + 8 * values.length);
  extra.writeUInt16LE(0x0001, 0);
  extra.writeUInt16LE(8 * values.length, 2);
  values.forEach((value, index) => extra.writeBigUInt64LE(BigInt(value), 4 + 8 * index));
  return extra;
}

/**
 * Writes a zip archive (stored, no compression) one entry at a time: sizes and CRC-32 go into each
 * local header (no data descriptors), entry bytes are streamed, and only the central directory is
 * kept. Zip64 records are written where the plain format runs out: more than 65 534 entries, an
 * entry of 4 GiB or more, or an offset past 4 GiB (APPNOTE 6.3.10, section 4.5.3 and 4.3.14).
 * Throws when an entry's bytes do not match its declared size or CRC.
 *
 * Not yazl (which streams and writes Zip64): it keeps every `addBuffer` entry's bytes until the
 * archive ends, and its stream entries carry sizes only in data descriptors, which the harness's own
 * reader (`readZipEntries`) does not read yet.
 */
export async function* zipArchive(
  entries: AsyncIterable<ZipEntry> | Iterable<ZipEntry>,
): AsyncGenerator<Buffer> {
  const central: Buffer[] = [];
  let offset = 0;
  let count = 0;
  for await (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const bigEntry = entry.size >= MAX_32;
    const localExtra = zip64Extra(bigEntry ? [entry.size, entry.size] : []);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(bigEntry ? VERSION_45 : VERSION_20, 4);
    local.writeUInt16LE(UTF8_NAMES, 6);
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(DOS_DATE_1980, 12);
    local.writeUInt32LE(entry.crc32, 14);
    local.writeUInt32LE(bigEntry ? MAX_32 : entry.size, 18);
    local.writeUInt32LE(bigEntry ? MAX_32 : entry.size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(localExtra.length, 28);

    const farOffset = offset >= MAX_32;
    const centralExtra = zip64Extra([
      ...(bigEntry ? [entry.size, entry.size] : []),
      ...(farOffset ? [offset] : []),
    ]);
    const zip64 = centralExtra.length > 0;
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(zip64 ? VERSION_45 : VERSION_20, 4);
    header.writeUInt16LE(zip64 ? VERSION_45 : VERSION_20, 6);
    header.writeUInt16LE(UTF8_NAMES, 8);
    header.writeUInt16LE(0, 10);
    header.writeUInt16LE(0, 12);
    header.writeUInt16LE(DOS_DATE_1980, 14);
    header.writeUInt32LE(entry.crc32, 16);
    header.writeUInt32LE(bigEntry ? MAX_32 : entry.size, 20);
    header.writeUInt32LE(bigEntry ? MAX_32 : entry.size, 24);
    header.writeUInt16LE(name.length, 28);
    header.writeUInt16LE(centralExtra.length, 30);
    header.writeUInt32LE(farOffset ? MAX_32 : offset, 42);
    central.push(header, name, centralExtra);

    yield Buffer.concat([local, name, localExtra]);
    let written = 0;
    let checksum = 0;
    for await (const chunk of entry.read()) {
      written += chunk.length;
      checksum = crc32(chunk, checksum);
      yield chunk;
    }
    if (written !== entry.size || checksum !== entry.crc32)
      throw new Error(`zip entry ${entry.name} changed while it was written`);
    offset += local.length + name.length + localExtra.length + entry.size;
    count += 1;
  }
  const directory = Buffer.concat(central);
  const needsZip64 = count >= MAX_16 || directory.length >= MAX_32 || offset >= MAX_32;
  const tail: Buffer[] = [directory];
  if (needsZip64) {
    const record = Buffer.alloc(56);
    record.writeUInt32LE(0x06064b50, 0);
    record.writeBigUInt64LE(44n, 4); // size of the rest of the record
    record.writeUInt16LE(VERSION_45, 12);
    record.writeUInt16LE(VERSION_45, 14);
    record.writeBigUInt64LE(BigInt(count), 24);
    record.writeBigUInt64LE(BigInt(count), 32);
    record.writeBigUInt64LE(BigInt(directory.length), 40);
    record.writeBigUInt64LE(BigInt(offset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(offset + directory.length), 8);
    locator.writeUInt32LE(1, 16); // total disks
    tail.push(record, locator);
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Math.min(count, MAX_16), 8);
  end.writeUInt16LE(Math.min(count, MAX_16), 10);
  end.writeUInt32LE(Math.min(directory.length, MAX_32), 12);
  end.writeUInt32LE(Math.min(offset, MAX_32), 16);
  tail.push(end);
  yield Buffer.concat(tail);
}
