/** What a redacted secret is shown as, everywhere: reports, logs, errors and curl lines. */
export const REDACTED_TOKEN = '$APIFY_TOKEN';

/** Replaces every occurrence of each secret (raw and URL-encoded) in a text. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length === 0) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)]))
      result = result.split(form).join(REDACTED_TOKEN);
  }
  return result;
}
