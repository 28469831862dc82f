import type { IncomingMessage } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { ApiError } from './api-error.ts';

/** Who is asking: the account owner (a valid token, or auth off) or someone without a token. */
export type Caller = 'owner' | 'anonymous';

function tokenOf(request: IncomingMessage, query: URLSearchParams): string | undefined {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1])
      throw new ApiError(401, 'invalid-token', 'The Authorization header must be "Bearer <token>".');
    return match[1];
  }
  return query.get('token') ?? undefined;
}

function accepted(token: string, tokens: readonly string[]): boolean {
  const given = Buffer.from(token);
  return tokens.some((candidate) => {
    const expected = Buffer.from(candidate);
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}

/**
 * Identifies the caller from `Authorization: Bearer` or `?token=`. A token that is given but not
 * accepted is refused at once (401 invalid-token); with no tokens configured everyone is the owner.
 */
export function identifyCaller(
  request: IncomingMessage,
  query: URLSearchParams,
  tokens: readonly string[],
): Caller {
  if (tokens.length === 0) return 'owner';
  const token = tokenOf(request, query);
  if (token === undefined) return 'anonymous';
  if (!accepted(token, tokens))
    throw new ApiError(401, 'invalid-token', 'Authentication token is not valid.');
  return 'owner';
}

/** 401 token-not-provided unless the caller is the owner. */
export function requireOwner(caller: Caller): void {
  if (caller !== 'owner')
    throw new ApiError(401, 'token-not-provided', 'Authentication token was not provided.');
}
