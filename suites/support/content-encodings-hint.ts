import { expectRule, settingItems } from '../../harness/index.ts';

/**
 * The hint that ends a failure the profile setting contentEncodings would declare away: the
 * server may not decode `coding` bodies (KVS-RECORD-005; apify-client's brotli bodies from 1 KiB
 * on, KVS-RECORD-014), and the flag that says so — the codings in force without it.
 */
export function contentEncodingsHint(contentEncodings: string | number | undefined, coding: string): string {
  const others = settingItems(contentEncodings).filter((item) => item !== coding);
  return `; if the server does not decode ${coding} bodies, declare it with --content-encodings ${others.join(',') || 'none'}`;
}

/**
 * A client library's record write the server refused (an API error with its status, as
 * apify-client's ApifyApiError carries it) fails KVS-RECORD-014 with `hint`; any other error (a
 * contract violation of another rule, a bug of the harness) goes on as it is: no cascade.
 */
export function refusedValueWrite(error: unknown, what: string, hint: string): void {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status !== 'number') throw error;
  expectRule(
    false,
    'KVS-RECORD-014',
    `${what} was refused with ${status}: ${(error as Error).message}${hint}`,
  );
}
