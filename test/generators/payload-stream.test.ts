import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { createGunzip, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { gzippedPayload, gzippedRepeat, payloadDigest, payloadStream } from '../../generators/index.ts';

/** The bytes a stream gives, gathered (the sizes here are small). */
async function drain(source: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of source) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

describe('payload streams', () => {
  it('give exactly the size asked for, the same bytes for the same seed, and the digest payloadDigest says', async () => {
    const size = 200 * 1024 + 7;
    const first = await drain(payloadStream(size, 3));
    expect(first.length).toBe(size);
    expect(await drain(payloadStream(size, 3))).toEqual(first);
    expect(await drain(payloadStream(size, 4))).not.toEqual(first);
    expect(createHash('sha256').update(first).digest('hex')).toBe(payloadDigest(size, 3));
  });

  it('a gzipped payload sends as many bytes as its length says, decodes to the payload and is not smaller than it', async () => {
    const size = 300 * 1024 + 11;
    const gzipped = await gzippedPayload(size, 5);
    const sent = await drain(gzipped.stream());
    expect(sent.length).toBe(gzipped.length);
    // Incompressible bytes: over the limit as sent whenever they are over it decoded.
    expect(gzipped.length).toBeGreaterThan(size);
    const hash = createHash('sha256');
    await pipeline(gzipped.stream(), createGunzip(), async (decoded: AsyncIterable<Buffer>) => {
      for await (const part of decoded) hash.update(part);
    });
    expect(hash.digest('hex')).toBe(payloadDigest(size, 5));
  });

  it('a gzipped repeat is small on the wire and decodes to size copies of the byte', async () => {
    const size = 1024 * 1024 + 3;
    const body = await gzippedRepeat(size, 'a');
    expect(body.length).toBeLessThan(size / 100);
    expect(gunzipSync(body).equals(Buffer.alloc(size, 'a'))).toBe(true);
  });
});
