/** What a redacted secret is shown as, everywhere: reports, logs, errors and curl lines. */
export const REDACTED_TOKEN = '$APIFY_TOKEN';

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

/**
 * A function that replaces every occurrence of each secret, in every spelling of secretForms, in a
 * text. The spellings are worked out once, so a client that redacts every header of every
 * exchange makes one of these and keeps it.
 */
export function secretRedactor(secrets: readonly string[]): (text: string) => string {
  // Longest spelling first: where two overlap, the longer one is replaced whole.
  const forms = [...new Set(secrets.flatMap(secretForms))].sort((a, b) => b.length - a.length);
  return (text) => forms.reduce((result, form) => result.split(form).join(REDACTED_TOKEN), text);
}

/** Replaces every occurrence of each secret, in every spelling of secretForms, in a text. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  return secretRedactor(secrets)(text);
}

/**
 * Replaces every secret in raw bytes (raw and URL-encoded spellings), before the bytes are encoded
 * for a report (base64 of a binary body would otherwise carry a decodable token).
 */
export function redactBytes(bytes: Buffer, secrets: readonly string[]): Buffer {
  let result = bytes;
  const marker = Buffer.from(REDACTED_TOKEN);
  for (const secret of secrets) {
    if (secret.length === 0) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) {
      const needle = Buffer.from(form);
      if (result.indexOf(needle) === -1) continue;
      const parts: Buffer[] = [];
      let from = 0;
      for (let at = result.indexOf(needle); at !== -1; at = result.indexOf(needle, from)) {
        parts.push(result.subarray(from, at), marker);
        from = at + needle.length;
      }
      parts.push(result.subarray(from));
      result = Buffer.concat(parts);
    }
  }
  return result;
}
