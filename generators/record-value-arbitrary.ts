import fc from 'fast-check';

/** A record to write: its bytes and the Content-Type they are written with. */
export interface RecordValueSample {
  readonly value: Buffer;
  readonly contentType: string;
}

/** Media types records are written with, beyond the three apify-client picks. */
const OTHER_CONTENT_TYPES = [
  'text/html',
  'image/png',
  'application/xml',
  'text/csv; charset=utf-8',
  'application/x-custom-kvs',
];

/**
 * Record values: JSON documents, text with non-ASCII characters, raw bytes (including bytes that
 * are not valid UTF-8) and bytes under other media types. Shrinks toward empty values.
 */
export function recordValueArbitrary(maxBytes = 512): fc.Arbitrary<RecordValueSample> {
  const json = fc.jsonValue({ maxDepth: 3 }).map((value) => ({
    value: Buffer.from(JSON.stringify(value) ?? 'null'),
    contentType: 'application/json; charset=utf-8',
  }));
  const text = fc
    .string({ unit: 'grapheme', maxLength: maxBytes / 4 })
    .map((value) => ({ value: Buffer.from(value), contentType: 'text/plain; charset=utf-8' }));
  const binary = fc
    .uint8Array({ maxLength: maxBytes })
    .map((bytes) => ({ value: Buffer.from(bytes), contentType: 'application/octet-stream' }));
  const other = fc
    .tuple(fc.uint8Array({ maxLength: maxBytes }), fc.constantFrom(...OTHER_CONTENT_TYPES))
    .map(([bytes, contentType]) => ({ value: Buffer.from(bytes), contentType }));
  return fc.oneof(json, text, binary, other);
}
