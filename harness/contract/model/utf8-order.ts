/** Compares two keys in UTF-8 binary order (KVS-KEYS-002: "Keys are listed in UTF-8 binary order"). */
export function utf8Order(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
