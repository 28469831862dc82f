import type { Readable } from 'node:stream';
import {
  mediaTypeOf,
  readErrorEnvelope,
  runResponseChecks,
  USABLE_ANSWER_RULES,
  type CheckViolation,
} from '../checks/response-checks.ts';
import { operationLabel } from '../contract/contract-operation.ts';
import type { Contract } from '../contract/load-contract.ts';
import type { ProfileSettings } from '../contract/profile-catalog.ts';
import type { RuleId } from '../contract/rule-catalog.ts';
import { ContractViolationError, type Failure } from '../failures.ts';
import type { BodyDigest, Exchange, RecordedResponse } from '../http/exchange.ts';
import type { HttpClient } from '../http/http-client.ts';

/** What to send with one operation call. */
export interface OperationCall {
  readonly storeId?: string;
  readonly recordKey?: string;
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Buffer | string | Readable;
  readonly auth?: 'header' | 'query' | 'none';
  readonly token?: string;
  /** Skip the response checks (for deliberately malformed requests whose answers are judged by the suite). */
  readonly unchecked?: boolean;
  /** What the rule under test expects of this answer; judged before the generic response checks. */
  readonly expect?: CallExpectation;
  /** Compare the response body by digest: see HttpRequest.digestBody (`body` keeps only its beginning). */
  readonly digestBody?: boolean;
}

/**
 * The specific rule a call is made to judge and the answer it demands. When the answer breaks it,
 * the failure names this rule first and any generic response check that also fails alongside
 * (never instead of it): a user reads the rule id first, and it must be the specific one.
 */
export interface CallExpectation {
  readonly ruleId: RuleId;
  /** The statuses the rule allows. */
  readonly status: readonly number[];
  /** For an error answer: the error types the rule allows. */
  readonly errorTypes?: readonly string[];
  /** What the call does, for the message (e.g. "GET of missing record k"). */
  readonly what?: string;
}

/** A checked response: the exchange and helpers to read it. */
export interface CheckedResponse {
  readonly exchange: Exchange;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /** With OperationCall.digestBody: the whole body's SHA-256 and length. */
  readonly digest?: BodyDigest;
  /** The body parsed as JSON (throws a contract failure when it is not JSON). */
  json<T>(): T;
}

/**
 * Calls contract operations by operationId over HTTP. Every response is checked against the
 * contract (status, media type, schema, headers, empty bodies); a violation, or no response at all,
 * throws a ContractViolationError carrying the exchange.
 */
export class HttpApi {
  readonly contract: Contract;
  readonly client: HttpClient;

  /** Whether a 302 from GET record is followed (profile setting getRecordRedirect = allow). */
  readonly followRecordRedirects: boolean;
  /** The profile settings answers are judged under (omitted: judged leniently). */
  readonly settings: Partial<ProfileSettings>;
  readonly #onAnswer: ((operationId: string, status: number) => void) | undefined;
  readonly #recordViolation: ((failure: Failure) => boolean) | undefined;

  constructor(
    contract: Contract,
    client: HttpClient,
    options: {
      readonly followRecordRedirects?: boolean;
      readonly settings?: Partial<ProfileSettings>;
      /** Told of every answered call (for the report's spec coverage). */
      readonly onAnswer?: (operationId: string, status: number) => void;
      /**
       * Takes a generic violation on a still usable answer (USABLE_ANSWER_RULES) to fail its own
       * rule while the call goes on (no cascade); returns false when it cannot (no test to record
       * it on), and the call throws it as before.
       */
      readonly recordViolation?: (failure: Failure) => boolean;
    } = {},
  ) {
    this.contract = contract;
    this.client = client;
    this.followRecordRedirects = options.followRecordRedirects ?? false;
    this.settings = options.settings ?? {};
    this.#onAnswer = options.onAnswer;
    this.#recordViolation = options.recordViolation;
  }

  /**
   * Records a violation for the running test without stopping it (no cascades: a caller that can go
   * on after it does); false when no test is running to carry it, and the caller must throw instead.
   */
  recordViolation(failure: Failure): boolean {
    return this.#recordViolation?.(failure) === true;
  }

  /** The request path of an operation with its parameters filled in and percent-encoded. */
  path(operationId: string, call: OperationCall): string {
    const operation = this.contract.operation(operationId);
    const path = operation.path
      .replace('{storeId}', encodeURIComponent(call.storeId ?? ''))
      .replace('{recordKey}', encodeURIComponent(call.recordKey ?? ''));
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(call.query ?? {})) {
      if (value !== undefined) query.set(name, String(value));
    }
    const search = query.toString();
    return search ? `${path}?${search}` : path;
  }

  async call(operationId: string, call: OperationCall = {}): Promise<CheckedResponse> {
    const operation = this.contract.operation(operationId);
    const requestPath = this.path(operationId, call);
    const exchange = await this.client.send({
      method: operation.method,
      path: requestPath,
      operationId,
      ...(call.headers ? { headers: call.headers } : {}),
      ...(call.body === undefined ? {} : { body: call.body }),
      ...(call.auth ? { auth: call.auth } : {}),
      ...(call.token ? { token: call.token } : {}),
      ...(call.digestBody ? { digestBody: true } : {}),
    });
    const response = exchange.response;
    if (!response) {
      // A body sent where none may be (a 204, an answer to HEAD) breaks the HTTP framing, so the
      // client reads no response at all: that is KVS-SCHEMA-006, not a missing answer.
      const bodyNotAllowed =
        /ContentLengthMismatch|content-length/i.test(exchange.error ?? '') &&
        (operation.method === 'HEAD' || operation.responses.has(204));
      const generic: CheckViolation = {
        ruleId: bodyNotAllowed ? 'KVS-SCHEMA-006' : 'KVS-SCHEMA-001',
        message: `${operationLabel(operation)} got no ${bodyNotAllowed ? 'well-framed ' : ''}response: ${exchange.error ?? 'unknown error'}`,
        evidence: { error: exchange.error },
      };
      throw new ContractViolationError({
        ruleId: call.expect?.ruleId ?? generic.ruleId,
        operationId,
        message: call.expect
          ? `${operationLabel(operation)}: ${call.expect.what ? `${call.expect.what}: ` : ''}no answer${alsoViolated([generic])}`
          : generic.message,
        evidence: { error: exchange.error },
        exchanges: [exchange],
      });
    }
    this.#onAnswer?.(operationId, response.status);
    const violations = call.unchecked
      ? []
      : runResponseChecks({
          contract: this.contract,
          operation,
          exchange,
          response,
          mediaType: mediaTypeOf(response.headers['content-type']),
          requestPath,
          settings: this.settings,
        });
    const broken = call.expect ? brokenExpectation(call.expect, response) : undefined;
    // No cascades: a generic violation on an answer that can still be used fails its own rule
    // (recorded for the test) and the call goes on; only the others stop it.
    const recorded = violations.filter(
      (violation) =>
        USABLE_ANSWER_RULES.has(violation.ruleId) &&
        this.#recordViolation?.({
          ruleId: violation.ruleId,
          operationId,
          message: violation.message,
          evidence: violation.evidence,
          exchanges: [exchange],
        }) === true,
    );
    const first = violations.find((violation) => !recorded.includes(violation));
    if (call.expect && broken) {
      throw new ContractViolationError({
        ruleId: call.expect.ruleId,
        operationId,
        message: `${operationLabel(operation)}: ${call.expect.what ? `${call.expect.what}: ` : ''}${broken}${alsoViolated(violations)}`,
        evidence: { expected: call.expect.status, status: response.status, generic: violations },
        exchanges: [exchange],
      });
    }
    if (first) {
      throw new ContractViolationError({
        ruleId: first.ruleId,
        operationId,
        message: first.message + alsoViolated(violations.filter((violation) => violation !== first)),
        evidence: first.evidence,
        exchanges: [exchange],
      });
    }
    const location = response.headers.location;
    if (
      response.status === 302 &&
      operationId === 'keyValueStore_record_get' &&
      this.followRecordRedirects &&
      location
    ) {
      // The documented redirect to a pre-signed object-storage URL: followed without the token.
      const followed = await this.client.send({
        method: 'GET',
        path: new URL(location, this.client.options.baseUrl).href,
        auth: 'none',
        operationId,
        ...(call.digestBody ? { digestBody: true } : {}),
      });
      if (!followed.response) {
        throw new ContractViolationError({
          ruleId: 'KVS-SCHEMA-001',
          operationId,
          message: `${operationLabel(operation)}: the redirect to ${location} got no response: ${followed.error ?? ''}`,
          evidence: {},
          exchanges: [exchange, followed],
        });
      }
      return checkedResponse(followed, followed.response, operationLabel(operation));
    }
    return checkedResponse(exchange, response, operationLabel(operation));
  }
}

/** The generic violations that come with a failure, each with its rule marker. */
function alsoViolated(violations: readonly CheckViolation[]): string {
  return violations.length > 0
    ? ` (and: ${violations.map((v) => `[${v.ruleId}] ${v.message}`).join('; ')})`
    : '';
}

/** How an answer breaks a call's expectation, or undefined when it meets it. */
function brokenExpectation(expectation: CallExpectation, response: RecordedResponse): string | undefined {
  if (!expectation.status.includes(response.status))
    return `expected status ${expectation.status.join(' or ')}, got ${response.status}`;
  if (response.status < 400 || !expectation.errorTypes) return undefined;
  const type = readErrorEnvelope(response.body)?.type;
  return type !== undefined && expectation.errorTypes.includes(type)
    ? undefined
    : `answered ${response.status} with error type ${JSON.stringify(type ?? null)}; allowed ${expectation.errorTypes.join(' or ')}`;
}

function checkedResponse(exchange: Exchange, response: RecordedResponse, label: string): CheckedResponse {
  return {
    exchange,
    status: response.status,
    headers: response.headers,
    body: response.body,
    ...(response.digest ? { digest: response.digest } : {}),
    json<T>(): T {
      try {
        return JSON.parse(response.body.toString('utf8')) as T;
      } catch (error) {
        throw new ContractViolationError({
          ruleId: 'KVS-SCHEMA-002',
          operationId: exchange.operationId,
          message: `${label} ${response.status} body is not JSON: ${(error as Error).message}`,
          evidence: {},
          exchanges: [exchange],
        });
      }
    },
  };
}

/** Throws a contract failure under `ruleId` unless the response has one of the expected statuses. */
export function expectStatus(
  response: CheckedResponse,
  expected: readonly number[],
  ruleId: RuleId,
  what: string,
): void {
  if (expected.includes(response.status)) return;
  throw new ContractViolationError({
    ruleId,
    operationId: response.exchange.operationId,
    message: `${what}: expected status ${expected.join(' or ')}, got ${response.status}`,
    evidence: { expected, status: response.status },
    exchanges: [response.exchange],
  });
}
