import fc from 'fast-check';

/**
 * The characters a client must percent-encode in a URL (KVS-CLIENT-007): the gen-delims and a bare
 * '%' of RFC 3986, space, '&', '=' and '+' of a form query, '~', and non-ASCII (2, 3 and 4 UTF-8
 * octets); letters keep the text readable. No '.', so a key is never a dot segment ('.', '..').
 */
const RESERVED = ['#', '?', '%', '/', ' ', '~', '&', '=', '+', ':', '@', 'é', '€', '😀', 'a', 'b', '0'];

/** A record key or store name full of characters a client must percent-encode (1 to 12 characters). */
export function reservedTextArbitrary(): fc.Arbitrary<string> {
  return fc
    .array(fc.constantFrom(...RESERVED), { minLength: 1, maxLength: 12 })
    .map((parts) => parts.join(''));
}

/**
 * Keys and names at the edges of KVS-CLIENT-007, run every time: each reserved character alone in
 * a word, a '%' that looks like an encoding, a query inside the text, non-ASCII.
 */
export function reservedTextEdges(): string[] {
  return ['x#y', 'x?y', '50%', 'a%2Fb', 'a/b', 'a b', '~k', 'shop&desc=1', 'a+b', 'é€😀'];
}
