import type { IncomingMessage } from 'node:http';
import { Readable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import {
  brotliDecompress,
  createBrotliDecompress,
  createGunzip,
  createInflate,
  gunzip,
  inflate,
} from 'node:zlib';
import { ApiError } from './api-error.ts';
import type { StoredEncoding } from './storage/storage-backend.ts';

const DECOMPRESS: Readonly<
  Record<StoredEncoding, (buffer: Buffer, options: { maxOutputLength: number }) => Promise<Buffer>>
> = {
  gzip: promisify(gunzip),
  br: promisify(brotliDecompress),
  deflate: promisify(inflate),
};

const DECODING_STREAM: Readonly<Record<StoredEncoding, () => Transform>> = {
  gzip: createGunzip,
  br: createBrotliDecompress,
  deflate: createInflate,
};

/** How large a request body may be, and which bytes count. */
export interface BodyLimit {
  readonly maxBytes: number;
  /** `encoded`: the bytes as sent; `decoded`: the bytes after Content-Encoding is undone. */
  readonly counts: 'encoded' | 'decoded';
}

/** A request body as received: the raw bytes and the compression they carry. */
export interface ReceivedBody {
  readonly raw: Buffer;
  readonly encoding: StoredEncoding | null;
}

/**
 * How much bigger than the limit a body may decode to when encoded bytes count: a guard against
 * decompression bombs, which the 413 message names (the limit itself still counts encoded bytes).
 */
export const DECODED_GUARD_FACTOR = 16;

function tooLarge(limit: BodyLimit): ApiError {
  return new ApiError(
    413,
    'request-too-large',
    `The request body is too large (limit ${limit.maxBytes} bytes, counting ${limit.counts} bytes).`,
  );
}

function decodesTooLarge(limit: BodyLimit, cap: number): ApiError {
  return limit.counts === 'decoded'
    ? tooLarge(limit)
    : new ApiError(
        413,
        'request-too-large',
        `The request body decodes to more than ${cap} bytes (${DECODED_GUARD_FACTOR} × the limit of ${limit.maxBytes} encoded bytes, a guard against decompression bombs).`,
      );
}

/** A body that ended before its Content-Length (or broke off with a socket error). */
function cutOff(): ApiError {
  return new ApiError(400, 'invalid-input', 'The request body was cut off.');
}

/** The request's Content-Encoding as a stored encoding; 415 for anything else. */
export function parseContentEncoding(header: string | undefined): StoredEncoding | null {
  const value = (header ?? '').trim().toLowerCase();
  if (value === '' || value === 'identity') return null;
  if (value === 'gzip' || value === 'x-gzip') return 'gzip';
  if (value === 'br' || value === 'deflate') return value;
  throw new ApiError(
    415,
    'unsupported-content-encoding',
    `Content-Encoding "${header}" is not supported; allowed: gzip, br, deflate, identity.`,
    {
      connection: 'close',
    },
  );
}

/** Undoes the body's compression; at most `maxOutputLength` bytes (a RangeError beyond). */
export function decompress(raw: Buffer, encoding: StoredEncoding, maxOutputLength: number): Promise<Buffer> {
  return DECOMPRESS[encoding](raw, { maxOutputLength });
}

/**
 * The stored bytes, decoded as a stream: memory stays at zlib's chunk size whatever the decoded
 * size, so readers that do not accept the encoding cannot make the server hold decoded records.
 */
export function decodedStream(raw: Buffer, encoding: StoredEncoding): Readable {
  const decoder = DECODING_STREAM[encoding]();
  Readable.from([raw]).pipe(decoder);
  return decoder;
}

/** Decodes the body as a stream without keeping it: its decoded size, or more than `cap` once over it. */
async function decodedSize(raw: Buffer, encoding: StoredEncoding, cap: number): Promise<number> {
  let total = 0;
  try {
    await pipeline(
      Readable.from([raw]),
      DECODING_STREAM[encoding](),
      async (source: AsyncIterable<Buffer>) => {
        for await (const chunk of source) {
          total += chunk.length;
          if (total > cap) return;
        }
      },
    );
  } catch (error) {
    // Leaving the loop over the cap ends the pipeline early, which aborts the decoder: that is the
    // answer (too large), not a body that fails to decode.
    if (total > cap) return total;
    throw error;
  }
  return total;
}

/**
 * Reads a request body while counting it, and stops reading as soon as it is over the limit: the
 * rest is never buffered (the 413 answer closes the connection). A compressed body is checked to
 * decompress (streamed, nothing kept), within the limit when decoded bytes count and within
 * DECODED_GUARD_FACTOR × the limit when encoded bytes count.
 */
export async function readBody(request: IncomingMessage, limit: BodyLimit): Promise<ReceivedBody> {
  const encoding = parseContentEncoding(request.headers['content-encoding']);
  // Encoded bytes are capped too in decoded mode: incompressible data grows a little when compressed.
  const rawCap =
    limit.counts === 'encoded' || encoding === null ? limit.maxBytes : limit.maxBytes * 2 + 65536;
  const declared = Number(request.headers['content-length'] ?? Number.NaN);
  if (declared > rawCap) throw tooLarge(limit);

  const raw = await new Promise<Buffer>((resolve, reject) => {
    // With a declared length (within the cap) the body is read into one buffer of that size, so
    // it is held once, not once in chunks and again concatenated; without one, chunks are kept
    // and joined at the end.
    const whole = Number.isSafeInteger(declared) && declared >= 0 ? Buffer.allocUnsafe(declared) : undefined;
    const chunks: Buffer[] = [];
    let received = 0;
    const onData = (chunk: Buffer): void => {
      const from = received;
      received += chunk.length;
      if (received > rawCap) stop(tooLarge(limit));
      else if (whole === undefined) chunks.push(chunk);
      // Node's parser never delivers more than Content-Length; should it, the body is refused.
      else if (received > whole.length) stop(cutOff());
      else chunk.copy(whole, from);
    };
    const onEnd = (): void => {
      request.off('data', onData);
      request.off('error', onError);
      if (whole === undefined) resolve(Buffer.concat(chunks, received));
      else if (received === whole.length) resolve(whole);
      else reject(cutOff());
    };
    const onError = (): void => stop(cutOff());
    const stop = (error: ApiError): void => {
      request.pause();
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      reject(error);
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
  });

  if (encoding !== null) {
    const decodedCap = limit.counts === 'decoded' ? limit.maxBytes : limit.maxBytes * DECODED_GUARD_FACTOR;
    let size: number;
    try {
      size = await decodedSize(raw, encoding, decodedCap);
    } catch (error) {
      throw new ApiError(
        400,
        'invalid-input',
        `The request body is not valid ${encoding} data: ${(error as Error).message}`,
      );
    }
    if (size > decodedCap) throw decodesTooLarge(limit, decodedCap);
  }
  return { raw, encoding };
}

/** Reads a small JSON body (any Content-Encoding); `undefined` when the body is empty. */
export async function readJsonBody(request: IncomingMessage, maxBytes: number): Promise<unknown> {
  const { raw, encoding } = await readBody(request, { maxBytes, counts: 'decoded' });
  const text = (encoding ? await decompress(raw, encoding, maxBytes) : raw).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ApiError(
      400,
      'invalid-request',
      `The request body is not valid JSON: ${(error as Error).message}`,
    );
  }
}

/** At most this many bytes of a refused body are read (and dropped) before the connection is cut. */
const DRAIN_MAX_BYTES = 32 * 1024 * 1024;
/** At most this long is a refused body read (and dropped) before the connection is cut. */
const DRAIN_MAX_MS = 5000;

/**
 * For a request whose body was not (fully) read: reads and drops the rest of the body, within a
 * bound of bytes and time, so the client can read the answer on a healthy connection instead of
 * a reset. Nothing is buffered. Resolves true when the body ended within the bound, false when it
 * did not or the connection closed first (the connection must then be closed).
 */
export function drainBody(request: IncomingMessage): Promise<boolean> {
  return new Promise((resolve) => {
    let drained = 0;
    // The request may be detached from its connection once answered: the connection's end is watched.
    const { socket } = request;
    const finish = (ended: boolean): void => {
      clearTimeout(timer);
      request.off('data', onData);
      request.off('end', onEnd);
      socket.off('close', onClose);
      if (!ended) request.pause();
      resolve(ended);
    };
    const onData = (chunk: Buffer): void => {
      drained += chunk.length;
      if (drained > DRAIN_MAX_BYTES) finish(false);
    };
    const onEnd = (): void => finish(true);
    // The client closed the connection (one that stops sending once answered).
    const onClose = (): void => finish(request.complete);
    const timer = setTimeout(() => finish(false), DRAIN_MAX_MS).unref();
    request.on('data', onData);
    request.on('end', onEnd);
    socket.on('close', onClose);
    request.resume();
  });
}
