import type { Readable } from 'node:stream';
import {
  mediaTypeOf,
  readErrorEnvelope,
  runResponseChecks,
  USABLE_ANSWER_RULES,
  type CheckViolation,
} from '../checks/response-checks.ts';
import { JsonBody } from '../checks/json-body.ts';
import { operationLabel } from '../contract/contract-operation.ts';
import type { Contract } from '../contract/load-contract.ts';
import type { ProfileSettings } from '../contract/profile-catalog.ts';
import type { RuleId } from '../contract/rule-catalog.ts';
import { ContractViolationError, type Failure } from '../failures.ts';
import type { BodyDigest, Exchange, RecordedResponse } from '../http/exchange.ts';
import type { HttpClient } from '../http/http-client.ts';
import { HarnessError } from '../errors.ts';
import { RUN_STORE_ALIAS } from '../contract/store-aliases.ts';
import type { RunStoreViews } from './run-store.ts';
import { ReadBackLedger, type LagSuspect } from './read-back-ledger.ts';
import { observeUntil } from '../consistency/observe-until.ts';

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
  /** The profile setting that would declare the answer away, as the message's last words (`; if …, declare it with --flag value`). */
  readonly hint?: string;
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
  readonly #runStore: RunStoreViews | undefined;
  readonly #notApplicable: ((reason: string) => void) | undefined;
  /** What these calls created and wrote, to tell a lagging 404 from a missing resource. */
  readonly #ledger: ReadBackLedger;

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
      /**
       * Under `--run-id`: the store ids that stand for key namespaces of the run's default store;
       * calls on them go to the alias paths (`/v2/actor-runs/{runId}/key-value-store…`).
       */
      readonly runStore?: RunStoreViews;
      /** Told why a call was refused as not applicable to the run's target (before it throws). */
      readonly notApplicable?: (reason: string) => void;
      /** The ledger shared with the run's client drivers (their reads of what these calls wrote). */
      readonly ledger?: ReadBackLedger;
    } = {},
  ) {
    this.contract = contract;
    this.client = client;
    this.followRecordRedirects = options.followRecordRedirects ?? false;
    this.settings = options.settings ?? {};
    this.#onAnswer = options.onAnswer;
    this.#recordViolation = options.recordViolation;
    this.#runStore = options.runStore;
    this.#notApplicable = options.notApplicable;
    this.#ledger = options.ledger ?? new ReadBackLedger();
  }

  /**
   * Records a violation for the running test without stopping it (no cascades: a caller that can go
   * on after it does); false when no test is running to carry it, and the caller must throw instead.
   */
  recordViolation(failure: Failure): boolean {
    return this.#recordViolation?.(failure) === true;
  }

  /**
   * A 404 for a key this run wrote for the first time, or for a store it created, is lag when the
   * same request then succeeds: that breaks the one rule the ledger names (KVS-CONS-001,
   * KVS-STATE-001), never the rule of the test that made the call (no "read back 74 bytes" of a
   * 404 error body). The same request is re-sent for the profile's window under eventual, its
   * settle time under strong (consistencySettleMs). On lag the violation is recorded for the test
   * (its rule fails) and the later answer is returned, so the test's own rules are still judged on
   * the real answer; with no test to record it on, it is thrown. Undefined when the 404 stays: the
   * caller's rule judges a resource that is truly missing.
   */
  async #resendIfLag(
    operationId: string,
    suspect: LagSuspect,
    first: Exchange,
    send: () => Promise<Exchange>,
  ): Promise<Exchange | undefined> {
    const budgetMs = Number(
      this.settings.consistency === 'eventual'
        ? (this.settings.consistencyWindowMs ?? 0)
        : (this.settings.consistencySettleMs ?? 0),
    );
    const readAt = performance.now();
    const later = await observeUntil(
      send,
      (resent) => resent.response !== undefined && resent.response.status !== 404,
      budgetMs,
    );
    const answer = later.last.response;
    if (!answer || answer.status === 404) return undefined;
    const said = readErrorEnvelope(first.response?.body ?? Buffer.alloc(0))?.message;
    const failure: Failure = {
      ruleId: suspect.ruleId,
      operationId,
      message: `${operationLabel(this.contract.operation(operationId))} answered 404${said ? ` (${JSON.stringify(said)})` : ''} although ${suspect.known}; the same request answered ${answer.status} ${Math.round(performance.now() - readAt)} ms later (lag)`,
      evidence: { status: 404, laterStatus: answer.status, reads: later.reads },
      exchanges: [first, later.last],
    };
    if (!this.recordViolation(failure)) throw new ContractViolationError(failure);
    return later.last;
  }

  /** The request path of an operation with its parameters filled in and percent-encoded. */
  path(operationId: string, call: OperationCall): string {
    const operation = this.contract.operation(operationId);
    const namespace = this.#runStore?.namespaceOf(call.storeId);
    if (namespace !== undefined) return this.#aliasPath(operationId, call, namespace);
    const path = operation.path
      .replace('{storeId}', encodeURIComponent(call.storeId ?? ''))
      .replace('{recordKey}', encodeURIComponent(call.recordKey ?? ''));
    return withQuery(path, call.query);
  }

  /**
   * The path of a call on a key namespace of the run's default store: the operation's alias path
   * (HEAD record has none: the store's own path), the key and the listing's prefix and cursor in
   * the namespace.
   */
  #aliasPath(operationId: string, call: OperationCall, namespace: string): string {
    const target = (this.#runStore as RunStoreViews).target;
    const alias = [...this.contract.aliases.values()].find(
      (candidate) => candidate.family === RUN_STORE_ALIAS && candidate.operationId === operationId,
    );
    const template = alias
      ? alias.path.replace('{runId}', encodeURIComponent(target.runId))
      : this.contract.operation(operationId).path.replace('{storeId}', encodeURIComponent(target.storeId));
    const path = template.replace('{recordKey}', encodeURIComponent(namespace + (call.recordKey ?? '')));
    const lists = operationId === 'keyValueStore_keys_get' || operationId === 'keyValueStore_records_get';
    if (!lists) return withQuery(path, call.query);
    const query = { ...call.query };
    query.prefix = namespace + String(query.prefix ?? '');
    if (query.exclusiveStartKey !== undefined)
      query.exclusiveStartKey = namespace + String(query.exclusiveStartKey);
    return withQuery(path, query);
  }

  /**
   * An answer about a key namespace as the test expects it of a store of its own: keys without
   * the namespace, the store's id the one the test was handed.
   */
  #outOfNamespace(operationId: string, call: OperationCall, body: Buffer): Buffer {
    const namespace = this.#runStore?.namespaceOf(call.storeId);
    if (namespace === undefined || body.length === 0) return body;
    const strip = (key: unknown): unknown =>
      typeof key === 'string' && key.startsWith(namespace) ? key.slice(namespace.length) : key;
    try {
      const parsed = JSON.parse(body.toString('utf8')) as { data?: Record<string, unknown> } | null;
      const data = parsed?.data;
      if (data === null || typeof data !== 'object') return body;
      if (operationId === 'keyValueStore_keys_get') {
        if (Array.isArray(data.items))
          data.items = data.items.map((item: unknown) =>
            item !== null && typeof item === 'object'
              ? { ...item, key: strip((item as { key?: unknown }).key) }
              : item,
          );
        for (const field of ['exclusiveStartKey', 'nextExclusiveStartKey'])
          if (field in data) data[field] = strip(data[field]);
      } else if (operationId === 'keyValueStore_get') data.id = call.storeId;
      else return body;
      return Buffer.from(JSON.stringify(parsed));
    } catch {
      return body;
    }
  }

  /**
   * Why a call cannot be made in the run's target, or undefined: under --run-id no store is
   * created, and the run's default store is never renamed or deleted (the harness only deletes
   * what it created).
   */
  #refusal(operationId: string, call: OperationCall): string | undefined {
    if (!this.#runStore) return undefined;
    if (operationId === 'keyValueStores_post')
      return "a test citing it creates a store; under --run-id the run's default store is the one store";
    if (
      (operationId === 'keyValueStore_put' || operationId === 'keyValueStore_delete') &&
      this.#runStore.namespaceOf(call.storeId) !== undefined
    )
      return "a test citing it renames or deletes its store; the run's default store is never changed or deleted";
    return undefined;
  }

  async call(operationId: string, call: OperationCall = {}): Promise<CheckedResponse> {
    const refusal = this.#refusal(operationId, call);
    if (refusal !== undefined) {
      this.#notApplicable?.(refusal);
      throw new HarnessError('KVSC_NOT_APPLICABLE', `${operationId}: ${refusal}`);
    }
    const operation = this.contract.operation(operationId);
    const requestPath = this.path(operationId, call);
    const send = (): Promise<Exchange> =>
      this.client.send({
        method: operation.method,
        path: requestPath,
        operationId,
        ...(call.headers ? { headers: call.headers } : {}),
        ...(call.body === undefined ? {} : { body: call.body }),
        ...(call.auth ? { auth: call.auth } : {}),
        ...(call.token ? { token: call.token } : {}),
        ...(call.digestBody ? { digestBody: true } : {}),
      });
    // A 404 is judged as lag only against what was acknowledged before the call was sent.
    const sentAt = performance.now();
    let exchange = await send();
    const answered = exchange.response;
    if (!answered) {
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
      // An answer whose framing a body broke fails KVS-SCHEMA-006 alone: the rule the call expected
      // is not judged on it (no cascade of one detail onto another rule).
      const expected = bodyNotAllowed ? undefined : call.expect;
      throw new ContractViolationError({
        ruleId: expected?.ruleId ?? generic.ruleId,
        operationId,
        message: expected
          ? `${operationLabel(operation)}: ${expected.what ? `${expected.what}: ` : ''}no answer${alsoViolated([generic])}`
          : `${generic.message}${call.expect ? ` (${call.expect.ruleId} could not be judged on it)` : ''}`,
        evidence: { error: exchange.error },
        exchanges: [exchange],
      });
    }
    this.#onAnswer?.(operationId, answered.status);
    const suspect =
      answered.status === 404 && !isStream(call.body)
        ? this.#ledger.suspect(operationId, call, sentAt)
        : undefined;
    const lagged = suspect ? await this.#resendIfLag(operationId, suspect, exchange, send) : undefined;
    if (lagged) exchange = lagged;
    const response = exchange.response ?? answered;
    this.#ledger.note(
      operationId,
      call,
      response.status,
      createdStoreId(operationId, response),
      performance.now(),
    );
    // One parse of the body for every check, the expectation and the caller's json().
    const json = new JsonBody(response.body);
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
          json,
        });
    const broken = call.expect ? brokenExpectation(call.expect, response, json) : undefined;
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
        message: `${operationLabel(operation)}: ${call.expect.what ? `${call.expect.what}: ` : ''}${broken}${alsoViolated(violations)}${call.expect.hint ?? ''}`,
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
    const body = this.#outOfNamespace(operationId, call, response.body);
    return body === response.body
      ? checkedResponse(exchange, response, operationLabel(operation), json)
      : checkedResponse(exchange, { ...response, body }, operationLabel(operation));
  }
}

/** Whether a request body is a stream (sent once: such a request cannot be re-sent). */
const isStream = (body: OperationCall['body']): boolean =>
  body !== undefined && typeof body !== 'string' && !Buffer.isBuffer(body);

/** The id of the store a create answered (2xx with data.id), else undefined. */
function createdStoreId(operationId: string, response: RecordedResponse): string | undefined {
  if (operationId !== 'keyValueStores_post' || response.status >= 300) return undefined;
  try {
    const id = (JSON.parse(response.body.toString('utf8')) as { data?: { id?: unknown } } | null)?.data?.id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Characters URLSearchParams writes as they are (application/x-www-form-urlencoded): a name and a
 * value made of these alone are joined without it, to the same text.
 */
const FORM_SAFE = /^[A-Za-z0-9*\-._]*$/;

/** A path with its query parameters (those not undefined), percent-encoded as by URLSearchParams. */
function withQuery(path: string, parameters: OperationCall['query']): string {
  const pairs: [string, string][] = [];
  for (const [name, value] of Object.entries(parameters ?? {})) {
    if (value !== undefined) pairs.push([name, String(value)]);
  }
  if (pairs.length === 0) return path;
  if (pairs.every(([name, value]) => FORM_SAFE.test(name) && FORM_SAFE.test(value)))
    return `${path}?${pairs.map(([name, value]) => `${name}=${value}`).join('&')}`;
  const query = new URLSearchParams();
  for (const [name, value] of pairs) query.set(name, value);
  return `${path}?${query.toString()}`;
}

/** The generic violations that come with a failure, each with its rule marker. */
function alsoViolated(violations: readonly CheckViolation[]): string {
  return violations.length > 0
    ? ` (and: ${violations.map((v) => `[${v.ruleId}] ${v.message}`).join('; ')})`
    : '';
}

/** How an answer breaks a call's expectation, or undefined when it meets it. */
function brokenExpectation(
  expectation: CallExpectation,
  response: RecordedResponse,
  json: JsonBody,
): string | undefined {
  if (!expectation.status.includes(response.status))
    return `expected status ${expectation.status.join(' or ')}, got ${response.status}`;
  if (response.status < 400 || !expectation.errorTypes) return undefined;
  const type = readErrorEnvelope(json)?.type;
  return type !== undefined && expectation.errorTypes.includes(type)
    ? undefined
    : `answered ${response.status} with error type ${JSON.stringify(type ?? null)}; allowed ${expectation.errorTypes.join(' or ')}`;
}

/**
 * The checked response handed to the caller. `json` is the checks' parse of this body: the first
 * json() call takes its value (nobody else holds it), every later call parses anew, so a caller
 * that changes what it got never changes what another call gets.
 */
function checkedResponse(
  exchange: Exchange,
  response: RecordedResponse,
  label: string,
  json?: JsonBody,
): CheckedResponse {
  let unused = json;
  return {
    exchange,
    status: response.status,
    headers: response.headers,
    body: response.body,
    ...(response.digest ? { digest: response.digest } : {}),
    json<T>(): T {
      const parsed = (unused ?? new JsonBody(response.body)).parsed;
      unused = undefined;
      if (parsed.ok) return parsed.value as T;
      throw new ContractViolationError({
        ruleId: 'KVS-SCHEMA-002',
        operationId: exchange.operationId,
        message: `${label} ${response.status} body is not JSON: ${parsed.error.message}`,
        evidence: {},
        exchanges: [exchange],
      });
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
