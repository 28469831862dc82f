import { createCipheriv, createHash } from 'node:crypto';
import { Readable } from 'node:stream';

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
  let left = size;
  return new Readable({
    read() {
      if (left === 0) {
        this.push(null);
        return;
      }
      const length = Math.min(CHUNK_BYTES, left);
      left -= length;
      this.push(cipher.update(Buffer.alloc(length)));
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
