// Fault modes whose target rules are in KVS-SIGN (pre-signed URLs).
import { errorAnswer, isKeys, isRecord, keysPage, query, recordKeyOf, withToken } from './fault-helpers.ts';
import type { FaultMode } from './fault-mode.ts';

const unsigned = (path: string, headers: Record<string, string>): boolean =>
  query(path).has('signature') && !headers.authorization && !query(path).has('token');

/** SIGN faults. */
export const SIGN_FAULTS: readonly FaultMode[] = [
  {
    name: 'sign-record-key-case',
    targets: ['KVS-SIGN-001'],
    bug: 'the record signature is checked over the lower-cased key: signed URLs of keys with capitals are refused',
    narrow: true,
    fault: () => ({
      request: (request, forward) =>
        isRecord(request.path) &&
        unsigned(request.path, request.headers) &&
        recordKeyOf(request.path) !== recordKeyOf(request.path).toLowerCase()
          ? Promise.resolve(errorAnswer(403, 'invalid-signature', request.method, request.path))
          : forward(request),
    }),
  },
  {
    name: 'sign-keys-never-expiring-refused',
    targets: ['KVS-SIGN-002'],
    bug: 'a keys signature with expiresAt 0 (never expires) is read as already expired',
    narrow: true,
    fault: () => ({
      request: (request, forward) => {
        const signature = query(request.path).get('signature');
        const expiresAt = signature
          ? Buffer.from(signature, 'base64url').toString().split('.')[1]
          : undefined;
        return isKeys(request.path) && unsigned(request.path, request.headers) && expiresAt === '0'
          ? Promise.resolve(errorAnswer(403, 'invalid-signature', request.method, request.path, 'expired'))
          : forward(request);
      },
    }),
  },
  {
    name: 'sign-any-signature',
    targets: ['KVS-SIGN-003'],
    bug: 'the presence of a signature is checked, not its value',
    fault: (token) => ({
      request: (request, forward) =>
        request.path.includes('signature=') && !request.headers.authorization
          ? forward(withToken(request, token))
          : forward(request),
    }),
  },
  {
    name: 'sign-keys-expiry-ignored',
    targets: ['KVS-SIGN-004'],
    bug: 'keys signatures are accepted after they expire',
    fault: (token) => ({
      request: async (request, forward) => {
        const answer = await forward(request);
        if (
          !isKeys(request.path) ||
          !request.path.includes('signature=') ||
          answer.status !== 403 ||
          !answer.body.toString().includes('expired')
        )
          return answer;
        return forward(withToken(request, token));
      },
    }),
  },
  {
    name: 'sign-public-url-internal-host',
    targets: ['KVS-SIGN-005'],
    bug: 'recordPublicUrl is built from the internal bind address (a port nobody can reach), not the public URL',
    fault: () => (answer) =>
      keysPage(answer, (data) => ({
        ...data,
        items: data.items.map((item) =>
          item.recordPublicUrl
            ? {
                ...item,
                recordPublicUrl: item.recordPublicUrl.replace(/^http:\/\/[^/]+/, 'http://127.0.0.1:9'),
              }
            : item,
        ),
      })),
  },
];
