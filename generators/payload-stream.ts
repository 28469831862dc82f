import { createCipheriv, createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32, createGzip } from 'node:zlib';

const CHUNK_BYTES = 64 * 1024;

/** The keystream of AES-128-CTR for a seed: incompressible bytes, the same for the same seed. */
function cipherFor(seed: number): ReturnType<typeof createCipheriv> {
  const key = createHash('sha256').update(`kvs-conformance payload ${seed}`).digest().subarray(0, 16);
  return createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
}

/**
 * A payload of exactly `size` incompressible bytes, generated chunk by chunk: large bodies around
 * the payload limit are streamed, never held in memory. The same seed gives the same bytes.
 */
export function payloadStream(size: number, seed: number): Readable {
  const cipher = cipherFor(seed);
  // The keystream is the cipher of zeros: one buffer of zeros serves every chunk, so each chunk
  // allocates only the bytes it sends (a 9 MiB body is 9 MiB of short-lived buffers, not 18).
  const zeros = Buffer.alloc(CHUNK_BYTES);
  let left = size;
  return new Readable({
    read() {
      if (left === 0) {
        this.push(null);
        return;
      }
      const length = Math.min(CHUNK_BYTES, left);
      left -= length;
      this.push(cipher.update(length === CHUNK_BYTES ? zeros : zeros.subarray(0, length)));
    },
  });
}

/** The SHA-256 (hex) of `payloadStream(size, seed)`, computed without holding the payload. */
export function payloadDigest(size: number, seed: number): string {
  const cipher = cipherFor(seed);
  const hash = createHash('sha256');
  const zeros = Buffer.alloc(CHUNK_BYTES);
  for (let left = size; left > 0; left -= CHUNK_BYTES)
    hash.update(cipher.update(left >= CHUNK_BYTES ? zeros : zeros.subarray(0, left)));
  return hash.digest('hex');
}

/**
 * The payload's bytes per stored deflate block (RFC 1951 §3.2.4: a stored block holds at most
 * 65,535 bytes, its length in 16 bits).
 */
const STORED_BLOCK_BYTES = 32 * 1024;
/** A gzip member header (RFC 1952 §2.3): deflate, no flags, no time, operating system unknown. */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);

/** A stored block's header (RFC 1951 §3.2.3–3.2.4): BFINAL and BTYPE 00 padded to a byte, LEN, NLEN. */
function storedBlockHeader(length: number, final: boolean): Buffer {
  const header = Buffer.alloc(5);
  header[0] = final ? 1 : 0;
  header.writeUInt16LE(length, 1);
  header.writeUInt16LE(~length & 0xffff, 3);
  return header;
}

/** The parts of the gzip of `payloadStream(size, seed)` in stored blocks, generated as they are read. */
function* storedGzipParts(size: number, seed: number): Generator<Buffer> {
  yield GZIP_HEADER;
  const cipher = cipherFor(seed);
  const zeros = Buffer.alloc(STORED_BLOCK_BYTES);
  let crc = 0;
  let left = size;
  do {
    const length = Math.min(STORED_BLOCK_BYTES, left);
    left -= length;
    yield storedBlockHeader(length, left === 0);
    if (length === 0) continue;
    const data = cipher.update(zeros.subarray(0, length));
    crc = crc32(data, crc);
    yield data;
  } while (left > 0);
  // The trailer (RFC 1952 §2.3.1): CRC-32 and the size modulo 2^32, little-endian.
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc, 0);
  trailer.writeUInt32LE(size % 2 ** 32, 4);
  yield trailer;
}

/**
 * `payloadStream(size, seed)` gzip-compressed in stored blocks (no compression), streamed, with
 * its exact length: a gzip header, one 5-byte block header per STORED_BLOCK_BYTES of payload, the
 * payload, an 8-byte trailer. Known beforehand, so the body is sent with a Content-Length without
 * a first pass over it and without being held; over the limit as sent whenever it is decoded,
 * whatever its content (stored blocks never shrink). The same seed gives the same bytes.
 */
export function gzippedPayload(size: number, seed: number): { readonly length: number; stream(): Readable } {
  const blocks = Math.max(1, Math.ceil(size / STORED_BLOCK_BYTES));
  const length = GZIP_HEADER.length + 5 * blocks + size + 8;
  return { length, stream: () => Readable.from(storedGzipParts(size, seed), { objectMode: false }) };
}

/**
 * The gzip of `size` copies of one byte, compressed as it is generated: a body small on the wire
 * and large decoded, without the decoded bytes ever being held.
 */
export async function gzippedRepeat(size: number, fill: string): Promise<Buffer> {
  const chunk = Buffer.alloc(CHUNK_BYTES, fill);
  function* chunks(): Generator<Buffer> {
    for (let left = size; left > 0; left -= CHUNK_BYTES)
      yield left >= CHUNK_BYTES ? chunk : chunk.subarray(0, left);
  }
  const parts: Buffer[] = [];
  await pipeline(Readable.from(chunks()), createGzip(), async (source: AsyncIterable<Buffer>) => {
    for await (const part of source) parts.push(part);
  });
  return Buffer.concat(parts);
}
