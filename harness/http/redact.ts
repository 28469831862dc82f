/** What a redacted secret is shown as, everywhere: reports, logs, errors and curl lines. */
export const REDACTED_TOKEN = '$APIFY_TOKEN';

/**
 * Below this length a token is matched only where it stands as a token of its own (see
 * secretRedactor), and its base64 and hex spellings, a few characters that any text may hold, are
 * not matched at all; `shortTokenWarning` says so at the start of a run.
 */
export const MIN_SAFE_TOKEN_LENGTH = 8;

/**
 * The spellings of a secret that a report, a log line or an echoing target can carry: raw,
 * URL-encoded, base64 (standard and URL-safe, with and without padding) and hex (both cases).
 */
export function secretForms(secret: string): string[] {
  const bytes = Buffer.from(secret);
  const base64 = bytes.toString('base64');
  const hex = bytes.toString('hex');
  return [
    ...new Set([
      secret,
      encodeURIComponent(secret),
      base64,
      base64.replace(/=+$/, ''),
      bytes.toString('base64url'),
      hex,
      hex.toUpperCase(),
    ]),
  ]
    .filter((form) => form.length > 0)
    .sort((a, b) => b.length - a.length);
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Where a short token stands as a token of its own: not inside a run of token characters (letters,
 * digits, `_`, `-`), so `Bearer T`, `token=T&`, `"T"`, `%3DT` match and `POST`, `$APIFY_TOKEN` do
 * not. A percent escape before or after counts as a boundary (`token%3DT` in an encoded URL).
 */
const TOKEN_START = String.raw`(?<=^|[^A-Za-z0-9_-]|%[0-9A-Fa-f]{2})`;
const TOKEN_END = String.raw`(?=$|[^A-Za-z0-9_-]|%[0-9A-Fa-f]{2})`;

/**
 * One regular expression matching every spelling of every secret (longest first, so that where two
 * overlap the longer one is replaced whole). A token of MIN_SAFE_TOKEN_LENGTH characters or more is
 * matched wherever a spelling of it occurs; a shorter one only in its raw and URL-encoded
 * spellings and only where it stands as a token of its own (TOKEN_START/TOKEN_END), so that a
 * 1-character token does not eat that letter out of every word. One pass: the placeholder the
 * replacement writes is never matched again. `latin1`: the spellings as latin1 text of their UTF-8
 * bytes, for matching raw bytes read as latin1.
 */
function secretPattern(
  secrets: readonly string[],
  options: { readonly everySpelling: boolean; readonly latin1: boolean },
): RegExp | undefined {
  const alternatives = new Map<string, string>();
  for (const secret of new Set(secrets)) {
    if (secret.length === 0) continue;
    const short = secret.length < MIN_SAFE_TOKEN_LENGTH;
    const forms =
      short || !options.everySpelling
        ? [...new Set([secret, encodeURIComponent(secret)])]
        : secretForms(secret);
    for (const form of forms) {
      const text = options.latin1 ? Buffer.from(form).toString('latin1') : form;
      if (!alternatives.has(text))
        alternatives.set(
          text,
          short ? `${TOKEN_START}${escapeRegExp(text)}${TOKEN_END}` : escapeRegExp(text),
        );
    }
  }
  if (alternatives.size === 0) return undefined;
  const ordered = [...alternatives].sort(([a], [b]) => b.length - a.length).map(([, pattern]) => pattern);
  return new RegExp(ordered.join('|'), 'g');
}

/**
 * A function that replaces every occurrence of each secret (see secretPattern) in a text. The
 * pattern is built once, so a client that redacts every header of every exchange makes one of
 * these and keeps it.
 */
export function secretRedactor(secrets: readonly string[]): (text: string) => string {
  const pattern = secretPattern(secrets, { everySpelling: true, latin1: false });
  return pattern ? (text) => text.replace(pattern, REDACTED_TOKEN) : (text) => text;
}

/** Replaces every occurrence of each secret (see secretPattern) in a text. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  return secretRedactor(secrets)(text);
}

/**
 * A function that replaces every secret in raw bytes (raw and URL-encoded spellings; a short token
 * only where it stands as a token of its own), before the bytes are encoded for a report (base64
 * of a binary body would otherwise carry a decodable token). The bytes are matched as latin1, one
 * character per byte, so bytes that are not UTF-8 pass through unchanged. The pattern is built
 * once, for a client that redacts the body of every exchange.
 */
export function bytesRedactor(secrets: readonly string[]): (bytes: Buffer) => Buffer {
  const pattern = secretPattern(secrets, { everySpelling: false, latin1: true });
  if (!pattern) return (bytes) => bytes;
  return (bytes) => {
    const text = bytes.toString('latin1');
    const redacted = text.replace(pattern, REDACTED_TOKEN);
    return redacted === text ? bytes : Buffer.from(redacted, 'latin1');
  };
}

/** Replaces every secret in raw bytes (see bytesRedactor). */
export function redactBytes(bytes: Buffer, secrets: readonly string[]): Buffer {
  return bytesRedactor(secrets)(bytes);
}

/**
 * The one-line warning for a token shorter than MIN_SAFE_TOKEN_LENGTH, printed when a run starts:
 * such a token is redacted only where it stands alone, and not in its base64 or hex spellings.
 */
export function shortTokenWarning(token: string | undefined): string | undefined {
  return token !== undefined && token.length > 0 && token.length < MIN_SAFE_TOKEN_LENGTH
    ? `kvs-conformance: warning: the token is ${token.length} character(s) long (under ${MIN_SAFE_TOKEN_LENGTH}): outputs redact it only where it stands as a token of its own, not inside words nor in its base64 or hex spellings`
    : undefined;
}
