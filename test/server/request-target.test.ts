import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../server/api-error.ts';
import { parseRequestTarget } from '../../server/request-target.ts';

/** Characters a request target may carry, weighted towards the ones the URL parser rewrites. */
const TARGET_CHARS = [...'/aZ09-._~!$&\'()*+,;=:@%2eE?#\\ "<>`{}|^[]é\t'];
const segment = fc.oneof(
  fc.string({ unit: fc.constantFrom(...TARGET_CHARS), maxLength: 12 }),
  fc.constantFrom('.', '..', '%2e', '%2E', '.%2e', '%2e.', '%2E%2e', 'v2', 'key-value-stores', 'records'),
);
const target = fc.array(segment, { maxLength: 6 }).map((segments) => `/${segments.join('/')}`);

describe('parseRequestTarget', () => {
  it('gives the pathname and query the WHATWG URL parser gives, for every origin-form target', () => {
    fc.assert(
      fc.property(target, (raw) => {
        const url = new URL(`http://localhost${raw}`);
        const parsed = parseRequestTarget(raw);
        expect(parsed.pathname).toBe(url.pathname);
        expect([...parsed.query]).toEqual([...url.searchParams]);
      }),
      { numRuns: 2000 },
    );
  });

  it('takes a plain path without the URL parser and refuses a target that is not a path', () => {
    expect(parseRequestTarget('/v2/key-value-stores/abc/records/INPUT.json').pathname).toBe(
      '/v2/key-value-stores/abc/records/INPUT.json',
    );
    expect(parseRequestTarget('/v2/key-value-stores/abc/records/%2e%2E/x').pathname).toBe(
      '/v2/key-value-stores/abc/x',
    );
    expect(() => parseRequestTarget('*')).toThrow(ApiError);
    expect(() => parseRequestTarget('http://other.example/v2')).toThrow(ApiError);
  });
});
