// Fault modes whose target rules are in KVS-AUTH (tokens).
import { bare, hasToken, query, withToken } from './fault-helpers.ts';
import type { FaultMode } from './fault-mode.ts';

/** AUTH faults. */
export const AUTH_FAULTS: readonly FaultMode[] = [
  {
    name: 'auth-anonymous-allowed',
    targets: ['KVS-AUTH-001'],
    bug: 'a gateway lets requests without a token through as the owner',
    fault: (token) => ({
      request: (request, forward) =>
        hasToken(request) || request.path.includes('signature=')
          ? forward(request)
          : forward(withToken(request, token)),
    }),
  },
  {
    name: 'auth-wrong-token-reads',
    targets: ['KVS-AUTH-002'],
    bug: 'reads accept any token (only writes check it)',
    fault: (token) => ({
      request: (request, forward) =>
        ['GET', 'HEAD'].includes(request.method) && request.headers.authorization
          ? forward(withToken(request, token))
          : forward(request),
    }),
  },
  {
    name: 'auth-query-token-ignored',
    targets: ['KVS-AUTH-003'],
    bug: 'only the Authorization header is read: a token in the query string gets 401',
    fault: () => ({
      request: (request, forward) => {
        if (!query(request.path).has('token') || request.headers.authorization) return forward(request);
        const params = query(request.path);
        params.delete('token');
        const rest = params.toString();
        return forward({ ...request, path: `${bare(request.path)}${rest ? `?${rest}` : ''}` }).then(
          (answer) => ({ ...answer, path: request.path }),
        );
      },
    }),
  },
];
