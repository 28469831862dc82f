import { createCipheriv, createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

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
 * The gzip settings of the compressed payloads: level 0, stored blocks. The bytes are incompressible,
 * so any level sends about as many bytes as it decodes to (over the limit both ways, which is all
 * the rule needs of this body), and stored blocks cost a copy and a CRC instead of a search for
 * matches: about a fifth of level 1's CPU for a 9 MiB body in each of the harness's two passes.
 * Output chunks of the generator's size: a quarter of zlib's default number of stream callbacks.
 */
const GZIP_OPTIONS = { level: 0, chunkSize: CHUNK_BYTES } as const;

/**
 * `payloadStream(size, seed)` gzip-compressed, streamed, with its exact compressed length: a first
 * pass compresses and counts, keeping nothing, so the body can be sent with a Content-Length
 * without ever being held. The same seed gives the same bytes.
 */
export async function gzippedPayload(
  size: number,
  seed: number,
): Promise<{ readonly length: number; stream(): Readable }> {
  let length = 0;
  await pipeline(
    payloadStream(size, seed),
    createGzip(GZIP_OPTIONS),
    async (source: AsyncIterable<Buffer>) => {
      for await (const chunk of source) length += chunk.length;
    },
  );
  return { length, stream: () => payloadStream(size, seed).pipe(createGzip(GZIP_OPTIONS)) };
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
