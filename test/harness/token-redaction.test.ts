// Redaction matches the token only where it can stand as a token (issue #21: with `--token T`
// every "T" was redacted, and again inside the placeholder: `Bearer $APIFY_$APIFY_TOKENOKEN`).
import { describe, expect, it } from 'vitest';
import {
  MIN_SAFE_TOKEN_LENGTH,
  redactBytes,
  redactSecrets,
  secretForms,
  shortTokenWarning,
} from '../../harness/http/redact.ts';

describe('a short token is redacted where it stands as a token, and nowhere else', () => {
  const redact = (text: string): string => redactSecrets(text, ['T']);

  it('in a header value, a query value, a JSON string and a URL-encoded query', () => {
    expect(redact('authorization: Bearer T')).toBe('authorization: Bearer $APIFY_TOKEN');
    expect(redact('/v2/key-value-stores?token=T&limit=1')).toBe(
      '/v2/key-value-stores?token=$APIFY_TOKEN&limit=1',
    );
    expect(redact('{"token":"T"}')).toBe('{"token":"$APIFY_TOKEN"}');
    expect(redact('url=%2Fv2%3Ftoken%3DT%26x')).toBe('url=%2Fv2%3Ftoken%3D$APIFY_TOKEN%26x');
  });

  it('never inside words, never inside the placeholder, and the rest of the text is unchanged', () => {
    const text = `curl -i -X POST -H "authorization: Bearer T" 'http://127.0.0.1:1/v2/key-value-stores?name=TEST-T' # PUT, GET, Transfer-Encoding`;
    expect(redact(text)).toBe(
      `curl -i -X POST -H "authorization: Bearer $APIFY_TOKEN" 'http://127.0.0.1:1/v2/key-value-stores?name=TEST-T' # PUT, GET, Transfer-Encoding`,
    );
    expect(redact(redact('Bearer T'))).toBe('Bearer $APIFY_TOKEN');
    expect(redact('$APIFY_TOKEN')).toBe('$APIFY_TOKEN');
  });

  it('in bytes before they are encoded, as in text', () => {
    const body = Buffer.concat([Buffer.from([0xff, 0]), Buffer.from(' T POST "T"')]);
    expect(redactBytes(body, ['T']).subarray(2).toString('latin1')).toBe(' $APIFY_TOKEN POST "$APIFY_TOKEN"');
    expect(redactBytes(Buffer.from('POST'), ['T']).toString()).toBe('POST');
  });

  it('a token under the safe length gets a one-line warning; a long one none', () => {
    const warning = shortTokenWarning('T') ?? '';
    expect(warning).toContain('1 character(s)');
    expect(warning.split('\n')).toHaveLength(1);
    expect(shortTokenWarning('x'.repeat(MIN_SAFE_TOKEN_LENGTH))).toBeUndefined();
    expect(shortTokenWarning(undefined)).toBeUndefined();
  });
});

describe('a long token is redacted in every spelling, wherever it occurs', () => {
  const token = 'apify_api_Secret0123';

  it('raw, URL-encoded, base64 and hex, also glued to other text', () => {
    const text = secretForms(token)
      .map((form) => `x${form}y`)
      .join(' ');
    const redacted = redactSecrets(text, [token]);
    for (const form of secretForms(token)) expect(redacted).not.toContain(form);
    expect(redacted.split(' ').every((part) => part === 'x$APIFY_TOKENy')).toBe(true);
  });

  it('a token that is a substring of the placeholder does not eat into it', () => {
    expect(redactSecrets('Bearer APIFY_TOKEN', ['APIFY_TOKEN'])).toBe('Bearer $APIFY_TOKEN');
  });
});
