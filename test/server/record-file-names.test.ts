import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  RECORD_METADATA_SUFFIX,
  STORE_METADATA_FILE,
  TEMP_PREFIX,
  recordFileNames,
} from '../../server/storage/record-file-names.ts';

const KEY_CHARS = [..."abcAB019!-_.'()"];
/** Record keys as the contract allows them (1–256 of a-zA-Z0-9!-_.'()), biased towards the hard cases. */
const recordKey = fc.oneof(
  fc.string({ unit: fc.constantFrom(...KEY_CHARS), minLength: 1, maxLength: 256 }),
  fc.string({ unit: fc.constantFrom(...KEY_CHARS), minLength: 230, maxLength: 256 }),
  fc.constantFrom('a', 'a.json', 'a.json.json', '__metadata__', 'x.__metadata__', '.', '..', 'photo.png'),
  fc
    .tuple(
      fc.constantFrom('a', 'x.__metadata__', '__metadata__'),
      fc.constantFrom('', '.json', '.bin', '.txt'),
    )
    .map(([stem, tail]) => stem + tail),
);
const contentType = fc.constantFrom(
  'application/json',
  'text/plain',
  'image/png',
  'application/x-unknown',
  '',
);

describe('record file names in the directory backend', () => {
  it('are injective: two different keys never share a data or metadata file, whatever their content types', () => {
    fc.assert(
      fc.property(recordKey, recordKey, contentType, contentType, (keyA, keyB, typeA, typeB) => {
        fc.pre(keyA !== keyB);
        const a = recordFileNames(keyA, typeA);
        const b = recordFileNames(keyB, typeB);
        const namesA = [a.data, a.metadata];
        expect(namesA).not.toContain(b.data);
        expect(namesA).not.toContain(b.metadata);
      }),
      { numRuns: 2000 },
    );
  });

  it('are at most 255 bytes, plain names in the store folder, never a metadata or temp name for data', () => {
    fc.assert(
      fc.property(recordKey, contentType, (key, type) => {
        const { data, metadata } = recordFileNames(key, type);
        for (const name of [data, metadata]) {
          expect(Buffer.byteLength(name)).toBeLessThanOrEqual(255);
          expect(name).not.toMatch(/[/\\\0]/);
          expect(['.', '..', STORE_METADATA_FILE]).not.toContain(name);
          expect(name.startsWith(TEMP_PREFIX)).toBe(false);
        }
        expect(data.endsWith(RECORD_METADATA_SUFFIX)).toBe(false);
        expect(metadata.endsWith(RECORD_METADATA_SUFFIX)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('keep the Crawlee layout for readable keys: {key}.{ext} and {key}.__metadata__.json', () => {
    expect(recordFileNames('INPUT', 'application/json; charset=utf-8')).toEqual({
      data: 'INPUT.json',
      metadata: 'INPUT.__metadata__.json',
    });
    expect(recordFileNames('a.json', 'application/json').data).toBe('a.json.json');
    expect(recordFileNames('k'.repeat(237), 'text/plain').data).toBe(`${'k'.repeat(237)}.txt`);
    expect(recordFileNames('k'.repeat(238), 'text/plain').data).toMatch(/^k{100}#[0-9a-f]{64}\.txt$/);
  });
});
