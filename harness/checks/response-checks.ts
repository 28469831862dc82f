import type { Contract } from '../contract/load-contract.ts';
import type { ContractOperation } from '../contract/contract-operation.ts';
import type { RuleId } from '../contract/rule-catalog.ts';
import { describeViolations } from '../contract/schema-validator-factory.ts';
import type { Exchange, RecordedResponse } from '../http/exchange.ts';

/** What a response check sees: one exchange with a response, and its operation. */
export interface CheckInput {
  readonly contract: Contract;
  readonly operation: ContractOperation;
  readonly exchange: Exchange;
  readonly response: RecordedResponse;
  readonly mediaType: string;
}

/** One problem a check found. */
export interface CheckViolation {
  readonly ruleId: RuleId;
  readonly message: string;
  readonly evidence: Readonly<Record<string, unknown>>;
}

/** A response check: small, pure, named after what it checks. */
export type ResponseCheck = (input: CheckInput) => CheckViolation[];

/** The media type essence of a Content-Type header (`application/json; charset=utf-8` → `application/json`). */
export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

const hasBody = (input: CheckInput): boolean => input.response.body.length > 0;

/** KVS-SCHEMA-001: the status is documented for the operation. */
const checkStatusDocumented: ResponseCheck = ({ operation, response }) =>
  operation.responses.has(response.status)
    ? []
    : [
        {
          ruleId: 'KVS-SCHEMA-001',
          message: `${operation.id} answered ${response.status}, which the contract does not document (documented: ${[...operation.responses.keys()].join(', ')})`,
          evidence: { status: response.status, documented: [...operation.responses.keys()] },
        },
      ];

/** KVS-SCHEMA-003: a documented JSON body comes as application/json. */
const checkJsonContentType: ResponseCheck = (input) => {
  const documented = input.operation.responses.get(input.response.status);
  if (
    !documented ||
    !documented.media.has('application/json') ||
    !hasBody(input) ||
    input.mediaType === 'application/json'
  )
    return [];
  return [
    {
      ruleId: 'KVS-SCHEMA-003',
      message: `${input.operation.id} ${input.response.status} has Content-Type "${input.response.headers['content-type'] ?? '(none)'}"; the contract documents application/json`,
      evidence: { contentType: input.response.headers['content-type'] ?? null },
    },
  ];
};

/** KVS-SCHEMA-002 (success bodies) and KVS-SCHEMA-004 (error bodies): the body matches its schema. */
const checkBodySchema: ResponseCheck = (input) => {
  const { contract, operation, response } = input;
  const documented = operation.responses.get(response.status);
  if (!documented?.media.has('application/json') || input.mediaType !== 'application/json') return [];
  const ruleId: RuleId = response.status >= 400 ? 'KVS-SCHEMA-004' : 'KVS-SCHEMA-002';
  let body: unknown;
  try {
    body = JSON.parse(response.body.toString('utf8'));
  } catch (error) {
    return [
      {
        ruleId,
        message: `${operation.id} ${response.status} body is not valid JSON: ${(error as Error).message}`,
        evidence: {},
      },
    ];
  }
  const check = contract.checkBody(operation.id, response.status, 'application/json', body);
  if (check.outcome !== 'invalid') return [];
  // A 404 whose error type is not a not-found type breaks apify-client (it throws instead of
  // returning undefined): that is KVS-NOTFOUND-001's case, not a plain schema slip.
  const wrongNotFoundType =
    response.status === 404 && check.violations.some((v) => v.instancePath === '/error/type');
  return [
    {
      ruleId: wrongNotFoundType ? 'KVS-NOTFOUND-001' : ruleId,
      message: `${operation.id} ${response.status} body does not match the contract: ${describeViolations(check.violations)}`,
      evidence: { violations: check.violations },
    },
  ];
};

/** KVS-SCHEMA-005: required headers (Location on every 201) are present. */
const checkRequiredHeaders: ResponseCheck = ({ operation, response }) => {
  const missing = (operation.responses.get(response.status)?.requiredHeaders ?? []).filter(
    (name) => !response.headers[name],
  );
  if (missing.length === 0) return [];
  return [
    {
      ruleId: 'KVS-SCHEMA-005',
      message: `${operation.id} ${response.status} lacks the required header(s) ${missing.join(', ')}`,
      evidence: { missing },
    },
  ];
};

/** KVS-SCHEMA-006: 204 and every HEAD answer have an empty body. */
const checkEmptyBody: ResponseCheck = (input) => {
  const empty = input.response.status === 204 || input.operation.method === 'HEAD';
  if (!empty || !hasBody(input)) return [];
  return [
    {
      ruleId: 'KVS-SCHEMA-006',
      message: `${input.operation.id} ${input.response.status} has a ${input.response.body.length}-byte body; it must be empty`,
      evidence: { bytes: input.response.body.length },
    },
  ];
};

/** Every response check by name, enabled by default (the Schemathesis-style registry). */
export const RESPONSE_CHECKS: Readonly<Record<string, ResponseCheck>> = {
  status_documented: checkStatusDocumented,
  json_content_type: checkJsonContentType,
  body_schema: checkBodySchema,
  required_headers: checkRequiredHeaders,
  empty_body: checkEmptyBody,
};

/** Runs every enabled check on an exchange with a response. */
export function runResponseChecks(
  input: CheckInput,
  enabled: readonly string[] = Object.keys(RESPONSE_CHECKS),
): CheckViolation[] {
  return enabled.flatMap((name) => RESPONSE_CHECKS[name]?.(input) ?? []);
}
