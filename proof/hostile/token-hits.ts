import { secretForms } from '../../harness/http/redact.ts';

/**
 * The base64 of the token at each of the three byte alignments it can have inside a longer body
 * (standard and URL-safe alphabets), without the edge characters that depend on neighbouring bytes.
 */
function shiftedBase64(token: string): string[] {
  const bytes = Buffer.from(token);
  return [0, 1, 2].flatMap((shift) => {
    const encoded = Buffer.concat([Buffer.alloc(shift), bytes])
      .toString('base64')
      .replace(/=+$/, '');
    const head = [0, 2, 3][shift] ?? 0;
    const tail = (shift + bytes.length) % 3 === 0 ? 0 : 1;
    const core = encoded.slice(head, encoded.length - tail);
    return [core, core.replace(/\+/g, '-').replace(/\//g, '_')];
  });
}

/**
 * Where `outputs` carry the token, as `name: spelling`: every spelling of the harness's redaction
 * (secretForms: raw, URL-encoded, base64, hex) and the token's base64 at any alignment inside a
 * longer encoded body.
 */
export function tokenHits(token: string, outputs: ReadonlyMap<string, Buffer>): string[] {
  const hits: string[] = [];
  const forms = [...new Set([...secretForms(token), ...shiftedBase64(token)])];
  for (const [name, bytes] of outputs) {
    for (const form of forms) {
      if (bytes.includes(Buffer.from(form))) hits.push(`${name}: ${form}`);
    }
  }
  return hits;
}
