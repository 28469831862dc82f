import { createHmac, timingSafeEqual } from 'node:crypto';

const BASE62 = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * The platform's URL signature: HMAC-SHA256 over the message, the first 30 hex digits of the
 * digest read as a number and written in base 62 (0-9, a-z, A-Z), most significant digit first.
 */
export function createHmacSignature(secret: string, message: string): string {
  let value = BigInt('0x' + createHmac('sha256', secret).update(message).digest('hex').slice(0, 30));
  let result = '';
  do {
    result = BASE62[Number(value % 62n)] + result;
    value /= 62n;
  } while (value > 0n);
  return result;
}

/** The signature of a keys URL: base64url("0.{expiresAt}.{hmac over 0.{expiresAt}.{storeId}}"). */
export function createKeysSignature(secret: string, storeId: string, expiresAtMs: number): string {
  const prefix = `0.${expiresAtMs}`;
  const hmac = createHmacSignature(secret, `${prefix}.${storeId}`);
  return Buffer.from(`${prefix}.${hmac}`).toString('base64url');
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Whether `signature` signs the record key with the store's secret. */
export function isValidRecordSignature(secret: string, key: string, signature: string): boolean {
  return sameText(createHmacSignature(secret, key), signature);
}

/** Why a keys signature is refused, or `undefined` when it is valid now. */
export function keysSignatureProblem(
  secret: string,
  storeId: string,
  signature: string,
  nowMs: number,
): string | undefined {
  const parts = Buffer.from(signature, 'base64url').toString('utf8').split('.');
  if (parts.length !== 3) return 'the signature is malformed';
  const [version, expiresAt, hmac] = parts as [string, string, string];
  if (version !== '0') return `signature version ${version} is not supported`;
  if (!/^\d+$/.test(expiresAt)) return 'the signature expiry is malformed';
  if (!sameText(createHmacSignature(secret, `${version}.${expiresAt}.${storeId}`), hmac))
    return 'the signature is not valid';
  const expiry = Number(expiresAt);
  if (expiry !== 0 && expiry <= nowMs) return 'the signature has expired';
  return undefined;
}
