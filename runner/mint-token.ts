import { randomBytes } from 'node:crypto';

/**
 * A made-up API token for a server the harness starts itself (the embedded reference server, the
 * API's `startServer`): with a token, the AUTH and SIGN rules are checked by default too.
 */
export function mintToken(): string {
  return `kvsc-${randomBytes(12).toString('hex')}`;
}
