import { readErrorEnvelope } from '../harness/checks/response-checks.ts';
import type { HttpApi } from '../harness/drivers/http-api.ts';
import { HarnessError } from '../harness/errors.ts';
import { ContractViolationError } from '../harness/failures.ts';

/** A short one-line view of a target's answer for an error message (redacted, control characters dropped). */
function answerExcerpt(body: Buffer, redact: (text: string) => string): string {
  const text = redact(body.subarray(0, 200).toString('utf8')).replace(/\p{Cc}+/gu, ' ');
  return text.length === 0 ? 'an empty body' : JSON.stringify(text.slice(0, 120));
}

/** Whether a body is a KVS store list: `{"data":{"items":[…],"total":n,"offset":n,"limit":n,"count":n}}`. */
function isStoreList(body: Buffer): boolean {
  try {
    const data = (JSON.parse(body.toString('utf8')) as { data?: Record<string, unknown> } | null)?.data;
    return (
      Array.isArray(data?.items) &&
      ['total', 'offset', 'limit', 'count'].every((field) => typeof data[field] === 'number')
    );
  } catch {
    return false;
  }
}

/**
 * Checks, before any rule, that the target answers and speaks the KVS API: GET
 * /v2/key-value-stores answers a well-formed store list, or a well-formed 401/403 error (then the
 * token is refused). Anything else — no answer, only 429s or 503s, an HTML page — is a tool error
 * with one line saying what came back.
 */
export async function preflight(api: HttpApi, targetUrl: string): Promise<void> {
  const redact = (text: string): string => api.client.redact(text);
  const response = await api
    .call('keyValueStores_get', { query: { limit: 1 }, unchecked: true })
    .catch((error: Error) => error);
  if (response instanceof Error) {
    // A contract failure carries its message as a value; any other error, its first line.
    const reason =
      response instanceof ContractViolationError
        ? response.failure.message
        : (response.message.split('\n')[0] ?? 'no response');
    throw new HarnessError('KVSC_TARGET_UNREACHABLE', `cannot reach ${targetUrl}: ${redact(reason)}`, {
      hint: 'check --target and that the server is running',
    });
  }
  if (response.status === 401 || response.status === 403) {
    const type = readErrorEnvelope(response.body)?.type;
    throw new HarnessError(
      'KVSC_TOKEN_REFUSED',
      `${targetUrl} refused ${api.client.options.token === undefined ? 'a request without a token' : 'the token'}: GET /v2/key-value-stores answered ${response.status}${type === undefined ? '' : ` (error type ${JSON.stringify(redact(type))})`}`,
      {
        hint:
          api.client.options.token === undefined
            ? 'pass the token with --token or APIFY_TOKEN'
            : 'check the token given with --token or APIFY_TOKEN (a replay takes it the same way)',
      },
    );
  }
  if (response.status !== 200 || !isStoreList(response.body)) {
    throw new HarnessError(
      'KVSC_TARGET_UNREACHABLE',
      `${targetUrl} does not answer as a KVS server: GET /v2/key-value-stores answered ${response.status} with ${answerExcerpt(response.body, redact)}`,
      {
        hint: 'expected 200 with a store list, or 401/403 with an error envelope; check --target',
      },
    );
  }
}
