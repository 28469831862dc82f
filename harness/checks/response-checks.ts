import type { Contract } from '../contract/load-contract.ts';
import { operationLabel, type ContractOperation } from '../contract/contract-operation.ts';
import type { ProfileSettings } from '../contract/profile-catalog.ts';
import type { RuleId } from '../contract/rule-catalog.ts';
import { describeViolations } from '../contract/schema-validator-factory.ts';
import type { Exchange, RecordedResponse } from '../http/exchange.ts';
import { parsesAsIs } from '../http/path-as-is.ts';
import { JsonBody } from './json-body.ts';

/** What a response check sees: one exchange with a response, and its operation. */
export interface CheckInput {
  readonly contract: Contract;
  readonly operation: ContractOperation;
  readonly exchange: Exchange;
  readonly response: RecordedResponse;
  readonly mediaType: string;
  /** The request's path as sent (unredacted, unlike the exchange's URL), when the caller knows it. */
  readonly requestPath?: string;
  /** The profile settings the answer is judged under; a setting left out is judged leniently. */
  readonly settings?: Partial<ProfileSettings>;
  /** The response body parsed once for every check (made by runResponseChecks when not given). */
  readonly json?: JsonBody;
}

/** The input's body parse: the one handed in, or a new one (a check called on its own). */
const jsonOf = (input: CheckInput): JsonBody => input.json ?? new JsonBody(input.response.body);

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
  if (contentType === undefined) return '';
  const end = contentType.indexOf(';');
  return (end < 0 ? contentType : contentType.slice(0, end)).trim().toLowerCase();
}

const hasBody = (input: CheckInput): boolean => input.response.body.length > 0;

/** KVS-SCHEMA-001: the status is documented for the operation. */
const checkStatusDocumented: ResponseCheck = ({ operation, response }) =>
  operation.responses.has(response.status)
    ? []
    : [
        {
          ruleId: 'KVS-SCHEMA-001',
          message: `${operationLabel(operation)} answered ${response.status}, which the contract does not document (documented: ${[...operation.responses.keys()].join(', ')})`,
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
      message: `${operationLabel(input.operation)} ${input.response.status} has Content-Type "${input.response.headers['content-type'] ?? '(none)'}"; the contract documents application/json`,
      evidence: { contentType: input.response.headers['content-type'] ?? null },
    },
  ];
};

/** KVS-SCHEMA-002 (success bodies) and KVS-SCHEMA-004 (error bodies): the body matches its schema. */
const checkBodySchema: ResponseCheck = (input) => {
  const { contract, operation, response } = input;
  const documented = operation.responses.get(response.status);
  if (!documented?.media.has('application/json') || input.mediaType !== 'application/json') return [];
  const json = jsonOf(input);
  if (response.status >= 400 && !errorEnvelopeOf(json.value)) return [];
  const ruleId: RuleId = response.status >= 400 ? 'KVS-SCHEMA-004' : 'KVS-SCHEMA-002';
  const parsed = json.parsed;
  if (!parsed.ok) {
    return [
      {
        ruleId,
        message: `${operationLabel(operation)} ${response.status} body is not valid JSON: ${parsed.error.message}`,
        evidence: {},
      },
    ];
  }
  const check = contract.checkBody(operation.id, response.status, 'application/json', parsed.value);
  if (check.outcome !== 'invalid') return [];
  // A wrong error type on a 404 is a schema slip here; the suite that provoked the 404 names the
  // rule it breaks (KVS-NOTFOUND-001/002/004/007) through the call's expectation, alongside this one.
  return [
    {
      ruleId,
      message: `${operationLabel(operation)} ${response.status} body does not match the contract: ${describeViolations(check.violations)}`,
      evidence: { violations: check.violations },
    },
  ];
};

/**
 * The `{"error":{"type":string,"message":string}}` envelope of an error answer, read whatever
 * the Content-Type says; undefined when the body is not one.
 */
export function readErrorEnvelope(body: Buffer | JsonBody): { type: string; message: string } | undefined {
  return errorEnvelopeOf((body instanceof JsonBody ? body : new JsonBody(body)).value);
}

/** The error envelope of a parsed body (see readErrorEnvelope). */
function errorEnvelopeOf(parsed: unknown): { type: string; message: string } | undefined {
  const error = (parsed as { error?: { type?: unknown; message?: unknown } } | null | undefined)?.error;
  return typeof error?.type === 'string' && typeof error.message === 'string'
    ? { type: error.type, message: error.message }
    : undefined;
}

/**
 * KVS-SCHEMA-004: every 4xx and 5xx answer other than to HEAD carries the JSON error envelope,
 * whatever its Content-Type says ("Every 4xx response other than to HEAD has the body
 * {"error":{"type":string,"message":string}}"; apify-client reads error.type from it).
 */
const checkErrorEnvelope: ResponseCheck = (input) => {
  const { operation, response } = input;
  if (response.status < 400 || operation.method === 'HEAD' || errorEnvelopeOf(jsonOf(input).value)) return [];
  return [
    {
      ruleId: 'KVS-SCHEMA-004',
      message: `${operationLabel(operation)} ${response.status} has no JSON error envelope: ${response.body.length === 0 ? 'the body is empty' : `the body is ${JSON.stringify(response.bodyExcerpt.slice(0, 80))}`} (Content-Type ${response.headers['content-type'] ?? 'none'})`,
      evidence: { contentType: response.headers['content-type'] ?? null, bytes: response.body.length },
    },
  ];
};

/** The path a 201's Location must resolve to: the created store, or the written record. */
function createdResourcePath(input: CheckInput): { path: string; storeFromRequest: boolean } | undefined {
  const { operation, exchange } = input;
  if (operation.id === 'keyValueStores_post') {
    const id = (jsonOf(input).value as { data?: { id?: unknown } } | null | undefined)?.data?.id;
    return typeof id === 'string'
      ? { path: `/v2/key-value-stores/${id}`, storeFromRequest: false }
      : undefined;
  }
  // The recorded URL is redacted (the token reads $APIFY_TOKEN, wherever its text occurs): use the
  // path as sent when the caller gives it.
  const requested =
    (input.requestPath ?? /^[a-z]+:\/\/[^/]+([^?#]*)/i.exec(exchange.request.url)?.[1] ?? '').split('?')[0] ??
    '';
  return /\/records\/[^/]+$/.test(requested) ? { path: requested, storeFromRequest: true } : undefined;
}

/**
 * The decoded store segment and record key of a store or record path. An alias path (a run's
 * default store) names its store indirectly, as `~name` does: its store segment reads `~`, so
 * any store segment in the Location is taken for it.
 */
const resourceParts = (path: string): string[] => {
  const byRun = /\/v2\/actor-runs\/[^/]+\/key-value-store(?:\/records\/([^/]+))?$/.exec(path);
  const parts = byRun
    ? ['~', byRun[1]]
    : (/\/v2\/key-value-stores\/([^/]+)(?:\/records\/([^/]+))?$/.exec(path) ?? []).slice(1);
  return parts.map((part) => {
    try {
      return decodeURIComponent(part ?? '');
    } catch {
      return part ?? '';
    }
  });
};

/** The operations whose 201 creates a resource that Location names. */
const CREATING_OPERATIONS = new Set([
  'keyValueStores_post',
  'keyValueStore_record_put',
  'keyValueStore_record_post',
]);

/**
 * KVS-SCHEMA-005: required headers are present, and a Location on a 201 names the created
 * resource. RFC 9110 §10.2.2: "the field value consists of a single URI-reference. When it has the
 * form of a relative reference, the final value is computed by resolving it against the target
 * URI" — so a relative Location is resolved against the request URL. Whether a 201 must carry a
 * Location at all is the `locationHeader` setting: the official OpenAPI document lists the header
 * without `required` (optional), the platform sends it (`required`, the apify preset).
 */
const checkRequiredHeaders: ResponseCheck = (input) => {
  const { operation, response } = input;
  const demanded = [
    ...(operation.responses.get(response.status)?.requiredHeaders ?? []),
    ...(response.status === 201 &&
    CREATING_OPERATIONS.has(operation.id) &&
    input.settings?.locationHeader === 'required'
      ? ['location']
      : []),
  ];
  const missing = [...new Set(demanded)].filter((name) => !response.headers[name]);
  if (missing.length > 0)
    return [
      {
        ruleId: 'KVS-SCHEMA-005',
        message: `${operationLabel(operation)} ${response.status} lacks the required header(s) ${missing.join(', ')}${missing.includes('location') ? ' (locationHeader required)' : ''}`,
        evidence: { missing },
      },
    ];
  const location = response.headers.location;
  if (response.status !== 201 || location === undefined) return [];
  const violation = (problem: string): CheckViolation[] => [
    {
      ruleId: 'KVS-SCHEMA-005',
      message: `${operationLabel(operation)} 201 has Location ${JSON.stringify(location)}: ${problem}`,
      evidence: { location },
    },
  ];
  const url = resolveLocation(location, input);
  if (url === undefined) return violation('not a URI reference that resolves against the request URL');
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return violation('not an http(s) URL');
  const created = createdResourcePath(input);
  if (!created) return [];
  const [wantStore, wantKey] = resourceParts(created.path);
  const [gotStore, gotKey] = resourceParts(url.pathname);
  const storeMatches = created.storeFromRequest
    ? gotStore !== undefined && gotStore !== '' && (wantStore?.startsWith('~') || gotStore === wantStore)
    : gotStore === wantStore;
  return storeMatches && gotKey === wantKey
    ? []
    : violation(`it does not resolve to the created resource ${created.path}`);
};

/**
 * A Location resolved against the request's target URI: the path as sent (the recorded URL is
 * redacted) on the recorded origin; undefined when it does not resolve. An absolute path that URL
 * parsing leaves unchanged (the usual answer) is read without the two parses: its protocol is the
 * request's, its pathname the path before its query.
 */
function resolveLocation(
  location: string,
  input: CheckInput,
): { readonly protocol: string; readonly pathname: string } | undefined {
  const protocol = /^(https?:)\/\//i.exec(input.exchange.request.url)?.[1]?.toLowerCase();
  if (protocol !== undefined && parsesAsIs(location))
    return { protocol, pathname: location.split('?', 1)[0] ?? '' };
  try {
    return new URL(location, new URL(input.requestPath ?? '', input.exchange.request.url));
  } catch {
    return undefined;
  }
}

/** The operations that answer a store (`data`) or a store list (`data.items`). */
const STORE_ANSWERS = new Set(['keyValueStores_post', 'keyValueStore_get', 'keyValueStore_put']);

/** The platform's store ids (`storeIdFormat: apify`), from @apify/consts APIFY_ID_REGEX. */
export const APIFY_STORE_ID = /^[a-zA-Z0-9]{17}$/;

/**
 * KVS-SCHEMA-002 under `storeIdFormat: apify`: every store id has the platform's form. The
 * official document types `id` as a plain string, so the default (`any`) demands nothing here.
 */
const checkStoreIdFormat: ResponseCheck = (input) => {
  const { operation, response, settings } = input;
  if (settings?.storeIdFormat !== 'apify' || (response.status !== 200 && response.status !== 201)) return [];
  const listing = operation.id === 'keyValueStores_get';
  if (!listing && !STORE_ANSWERS.has(operation.id)) return [];
  const data = (jsonOf(input).value as { data?: unknown } | null | undefined)?.data;
  const stores = listing ? (data as { items?: unknown } | undefined)?.items : [data];
  const ids = Array.isArray(stores) ? stores.map((store) => (store as { id?: unknown } | null)?.id) : [];
  const bad = ids.filter((id) => typeof id === 'string' && !APIFY_STORE_ID.test(id));
  return bad.length === 0
    ? []
    : [
        {
          ruleId: 'KVS-SCHEMA-002',
          message: `${operationLabel(operation)} ${response.status} has store id ${JSON.stringify(bad[0])}; storeIdFormat apify allows ${APIFY_STORE_ID.source}; if the target's store ids are not the platform's, declare it with --store-id-format any`,
          evidence: { ids: bad },
        },
      ];
};

/**
 * KVS-SCHEMA-002 under `recordWriteBody: empty-object`: a record write answers exactly `{}`. The
 * official document types the 201 body only as an object (example `{}`); the default (`object`)
 * leaves it to the schema, which also accepts no body.
 */
const checkRecordWriteBody: ResponseCheck = (input) => {
  const { operation, response, mediaType, settings } = input;
  if (settings?.recordWriteBody !== 'empty-object') return [];
  if (operation.id !== 'keyValueStore_record_put' && operation.id !== 'keyValueStore_record_post') return [];
  if (response.status !== 200 && response.status !== 201) return [];
  const body = jsonOf(input).value;
  const empty =
    mediaType === 'application/json' &&
    typeof body === 'object' &&
    body !== null &&
    !Array.isArray(body) &&
    Object.keys(body).length === 0;
  return empty
    ? []
    : [
        {
          ruleId: 'KVS-SCHEMA-002',
          message: `${operationLabel(operation)} ${response.status} body is ${JSON.stringify(response.bodyExcerpt.slice(0, 80))} (Content-Type ${response.headers['content-type'] ?? 'none'}); recordWriteBody empty-object demands {} as application/json`,
          evidence: { bytes: response.body.length },
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
      message: `${operationLabel(input.operation)} ${input.response.status} has a ${input.response.body.length}-byte body; it must be empty`,
      evidence: { bytes: input.response.body.length },
    },
  ];
};

/** Every response check by name, enabled by default (the Schemathesis-style registry). */
export const RESPONSE_CHECKS: Readonly<Record<string, ResponseCheck>> = {
  status_documented: checkStatusDocumented,
  error_envelope: checkErrorEnvelope,
  json_content_type: checkJsonContentType,
  body_schema: checkBodySchema,
  required_headers: checkRequiredHeaders,
  empty_body: checkEmptyBody,
  store_id_format: checkStoreIdFormat,
  record_write_body: checkRecordWriteBody,
};

/**
 * Rules whose violation leaves the answer usable: a wrong or missing header (KVS-SCHEMA-005), a
 * Content-Type other than the documented one (KVS-SCHEMA-003), an error answer without the
 * documented body (KVS-SCHEMA-004: its status still tells), a body where none belongs
 * (KVS-SCHEMA-006). Such a violation fails its own rule and the caller goes on with the answer; an
 * undocumented status (KVS-SCHEMA-001) or a success body off its schema (KVS-SCHEMA-002) stops it.
 */
export const USABLE_ANSWER_RULES: ReadonlySet<RuleId> = new Set([
  'KVS-SCHEMA-003',
  'KVS-SCHEMA-004',
  'KVS-SCHEMA-005',
  'KVS-SCHEMA-006',
]);

/** Runs every enabled check on an exchange with a response. */
export function runResponseChecks(
  input: CheckInput,
  enabled: readonly string[] = Object.keys(RESPONSE_CHECKS),
): CheckViolation[] {
  const shared = input.json === undefined ? { ...input, json: new JsonBody(input.response.body) } : input;
  return enabled.flatMap((name) => RESPONSE_CHECKS[name]?.(shared) ?? []);
}
