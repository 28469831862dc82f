import { createHmac } from 'node:crypto';

// The platform's URL signing, implemented here from the fact sheet (§4.4) and its test vectors.
// The reference server has its own implementation on purpose: sharing one would let a bug in it
// pass the SIGN rules unnoticed.

const DIGITS = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** HMAC-SHA256 of the message, first 30 hex digits, written in base 62 (most significant first). */
export function createHmacSignature(secret: string, message: string): string {
  const hex = createHmac('sha256', secret).update(message).digest('hex').slice(0, 30);
  let value = BigInt(`0x${hex}`);
  const digits: string[] = [];
  while (value > 0n) {
    digits.unshift(DIGITS[Number(value % 62n)] ?? '');
    value /= 62n;
  }
  return digits.join('') || '0';
}

/** A keys-URL signature: base64url of `0.{expiresAtMs}.{hmac over "0.{expiresAtMs}.{storeId}"}`. */
export function createKeysSignature(secret: string, storeId: string, expiresAtMs: number): string {
  const signed = `0.${expiresAtMs}`;
  return Buffer.from(`${signed}.${createHmacSignature(secret, `${signed}.${storeId}`)}`).toString(
    'base64url',
  );
}
