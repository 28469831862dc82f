import fc from 'fast-check';

/** A store's keys, some under a prefix, listed under that prefix with a total limit and a page size. */
export interface PrefixedListing {
  readonly keys: readonly string[];
  readonly prefix: string;
  /** The most keys the iterator yields in total; undefined: all. */
  readonly limit: number | undefined;
  /** The most keys the server puts on one page. */
  readonly pageSize: number;
}

/**
 * Listings of KVS-CLIENT-001 under a prefix (an iterator must send it with every page): keys inside
 * and outside the prefix, on both sides of it in UTF-8 order, pages of 1 to 4 keys, a limit or none.
 */
export function prefixedListingArbitrary(): fc.Arbitrary<PrefixedListing> {
  return fc
    .record({
      prefix: fc.constantFrom('p-', 'p', 'a b', 'é#'),
      inside: fc.uniqueArray(fc.stringMatching(/^[a-z0-9~]{1,5}$/), { minLength: 0, maxLength: 12 }),
      outside: fc.uniqueArray(fc.stringMatching(/^[a-z0-9~]{1,5}$/), { minLength: 1, maxLength: 12 }),
      limit: fc.option(fc.integer({ min: 1, max: 14 }), { nil: undefined }),
      pageSize: fc.integer({ min: 1, max: 4 }),
    })
    .map(({ prefix, inside, outside, limit, pageSize }) => ({
      keys: [
        ...new Set([
          ...inside.map((key) => prefix + key),
          ...outside.filter((key) => !key.startsWith(prefix)),
        ]),
      ],
      prefix,
      limit,
      pageSize,
    }));
}

/**
 * The listings run every time: keys after the prefix's page boundary outside it (a prefix dropped
 * on a later page lists them), a limit that ends inside the second page, a limit equal to the keys
 * under the prefix.
 */
export function prefixedListingEdges(): PrefixedListing[] {
  const keys = ['a', 'p-1', 'p-2', 'p-3', 'p-4', 'p-5', 'q', 'z'];
  return [
    { keys, prefix: 'p-', limit: undefined, pageSize: 2 },
    { keys, prefix: 'p-', limit: 3, pageSize: 2 },
    { keys, prefix: 'p-', limit: 5, pageSize: 3 },
  ];
}
