import { describe, expect, it } from 'vitest';
import { createHmacSignature, createKeysSignature } from '../../harness/index.ts';

describe("the harness's URL signing", () => {
  it('matches the platform test vectors (fact sheet §4.4)', () => {
    expect(createHmacSignature('secret', 'my-key')).toBe('1Eery8POh9ieEae8qANqa');
    expect(createKeysSignature('secret', 'STOREID1234567890', 0)).toBe('MC4wLmdKRUVBaVJndGNTNXdIbENqUjZR');
    expect(createKeysSignature('secret', 'STOREID1234567890', 1700000000000)).toBe(
      'MC4xNzAwMDAwMDAwMDAwLnVNSHFHZVFXYTZpUFVMS3RxdUho',
    );
  });
});
