import type { Contract, RunResult } from '../harness/index.ts';
import type { SourceCitation } from '../harness/contract/source-citation.ts';
import { describeSources } from '../harness/contract/source-citation.ts';
import { ruleAnchor, settingAnchor } from '../harness/contract/rules-reference.ts';
import { operationLabel } from '../harness/contract/contract-operation.ts';
import {
  REPORT_FORMAT_VERSION,
  REPORT_SCHEMA_VERSION,
  type ConformanceReport,
  type ReportCoverage,
  type ReportFailure,
  type ReportRule,
  type ReportSequenceStep,
  type ReportSource,
} from './conformance-report.ts';
import { consistencySection, incompletenessOf, totalsOf, verdictOf } from './report-statistics.ts';

/** What the report is built from besides the run result. */
export interface ReportInput {
  readonly contract: Contract;
  readonly result: RunResult;
  readonly harnessVersion: string;
  readonly preset: string | undefined;
  /** Where the seed came from (ResolvedRunOptions.seedSource). */
  readonly seedSource?: string;
  readonly shard: { readonly index: number; readonly count: number } | undefined;
  readonly embedded: boolean;
  /** Where report.json is written, for the replay commands. */
  readonly reportPath: string;
  /**
   * The run sent a token of the user's (not the embedded server's made-up one): the replay
   * commands pass it on as `--token "$APIFY_TOKEN"`.
   */
  readonly withToken?: boolean;
  /** Redacts the run's secrets from any text. */
  readonly redact: (text: string) => string;
  /** The rules reference rule links point into: its URL (no fragment) and the installed copy. */
  readonly rulesReference: { readonly url: string; readonly file: string };
}

/** A source as the report carries it (absent fields as null). */
const reportSource = (source: SourceCitation): ReportSource => ({
  kind: source.kind,
  title: source.title,
  url: source.url ?? null,
  locator: source.locator ?? null,
  quote: source.quote,
  setting: source.setting ?? null,
});

/** A URL without user, password or token parameter. */
export function stripCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    parsed.searchParams.delete('token');
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

function parseCounterexample(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

const shellQuote = (text: string): string =>
  /^[\w./:@-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;

/**
 * The command that replays a rule's recorded failures from the report at `reportPath`; with the
 * token as the shell variable the user keeps it in when the run had one (never the token itself),
 * and with `--spec` when the run's base document was given (`run --spec`), so the failure replays
 * against the document it was found with, not the shipped one.
 */
export function replayCommand(
  reportPath: string,
  ruleId: string,
  withToken = false,
  givenSpec?: string,
): string {
  return `kvs-conformance replay ${shellQuote(reportPath)} --rule ${ruleId}${withToken ? ' --token "$APIFY_TOKEN"' : ''}${givenSpec === undefined ? '' : ` --spec ${shellQuote(givenSpec)}`}`;
}

/**
 * A failure's message naming its operation first, by HTTP method and path template (the
 * operationId after it), as a server author thinks of it; messages that already start so are kept.
 */
function namedOperation(
  contract: Contract,
  failure: { readonly operationId: string | undefined; readonly message: string } | undefined,
  fallback: string,
): string {
  if (!failure) return fallback;
  const operation =
    failure.operationId === undefined ? undefined : contract.operations.get(failure.operationId);
  return operation && !failure.message.startsWith(`${operation.method} ${operation.path}`)
    ? `${operationLabel(operation)}: ${failure.message}`
    : failure.message;
}

/**
 * What a test's error says when it is not a contract failure: its deepest cause (the API error
 * with its status and type behind fast-check's "Property failed after N tests"), else its first line.
 */
function rootCause(message: string | undefined): string {
  const causes = (message ?? '').split('\n').filter((line) => line.startsWith('Caused by: '));
  return causes.at(-1)?.slice('Caused by: '.length) ?? message?.split('\n')[0] ?? '';
}

/** Builds the report model from a finished run: pure, no I/O. */
export function buildReport(input: ReportInput): ConformanceReport {
  const { contract, result, redact } = input;
  // A base given with `run --spec` (not the shipped spec/openapi.yaml) travels with the replay commands.
  // A URL loses any user, password or token parameter; a path is kept as it is.
  const givenSpec =
    contract.specGiven === undefined
      ? undefined
      : /^https?:/i.test(contract.specGiven)
        ? stripCredentials(redact(contract.specGiven))
        : redact(contract.specGiven);
  const rules: ReportRule[] = result.verdicts.map((verdict) => ({
    id: verdict.rule.id,
    area: verdict.rule.area,
    level: verdict.rule.level,
    rule: verdict.rule.rule,
    source: describeSources(verdict.rule.source),
    sources: verdict.rule.source.map(reportSource),
    reference: `${input.rulesReference.url}#${ruleAnchor(verdict.rule.id)}`,
    verdict: verdict.verdict,
    reason: verdict.reason ?? null,
    reasonKind: verdict.reasonKind ?? null,
    tests: verdict.tests.map((test) => ({
      title: test.title,
      file: test.file,
      state: test.state,
      durationMs: test.durationMs,
      ...(test.evidence?.requests === undefined ? {} : { requests: test.evidence.requests }),
    })),
    // Counted when the run counted (evidence of older workers has none).
    ...(verdict.tests.some((test) => test.evidence?.requests !== undefined)
      ? { requests: verdict.tests.reduce((sum, test) => sum + (test.evidence?.requests ?? 0), 0) }
      : {}),
    failures: verdict.failures.map((test): ReportFailure => {
      // The test's own failure, or the violation it recorded on this rule while it went on.
      const failure =
        test.evidence?.failure?.ruleId === verdict.rule.id
          ? test.evidence.failure
          : (test.evidence?.violations?.find((violation) => violation.ruleId === verdict.rule.id) ??
            test.evidence?.failure);
      const property = failure === test.evidence?.failure ? test.property : undefined;
      return {
        test: test.title,
        file: test.file,
        ruleId: failure?.ruleId ?? verdict.rule.id,
        message: redact(namedOperation(contract, failure, rootCause(test.message))),
        counterexample: property
          ? {
              text: redact(property.counterexample),
              data: parseCounterexample(redact(property.counterexample)),
            }
          : null,
        seed: property?.seed ?? null,
        path: property?.path ?? null,
        shrinks: property?.shrinks ?? null,
        runsUntilFailure: property?.runsUntilFailure ?? null,
        exchanges: (failure?.exchanges ?? []).map((exchange) => ({
          curl: redact(exchange.curl),
          method: exchange.method,
          url: redact(exchange.url),
          status: exchange.status ?? null,
          error: exchange.error === undefined ? null : redact(exchange.error),
          responseExcerpt: redact(exchange.responseExcerpt),
          durationMs: exchange.durationMs,
        })),
        replay: replayCommand(
          input.reportPath,
          verdict.rule.id,
          input.withToken === true && !input.embedded,
          givenSpec,
        ),
        ...sequenceOf(failure?.evidence, redact),
      };
    }),
    ...(verdict.expectation
      ? {
          expectation: {
            reason: redact(verdict.expectation.reason),
            link: verdict.expectation.link ?? null,
            from: verdict.expectation.from,
          },
        }
      : {}),
  }));

  const observed = new Map<string, Set<number>>();
  const observations = result.outcomes.flatMap((outcome) => outcome.evidence?.observations ?? []);
  const watches = result.outcomes.flatMap((outcome) => outcome.evidence?.watches ?? []);
  for (const outcome of result.outcomes) {
    for (const pair of outcome.evidence?.coverage ?? []) {
      const [operationId = '', status = '0'] = pair.split(' ');
      if (!observed.has(operationId)) observed.set(operationId, new Set());
      observed.get(operationId)?.add(Number(status));
    }
  }
  const coverage: ReportCoverage[] = [...contract.operations.values()].map((operation) => ({
    operationId: operation.id,
    method: operation.method,
    path: operation.path,
    documented: [...operation.responses.keys()].sort((a, b) => a - b),
    observed: [...(observed.get(operation.id) ?? [])].sort((a, b) => a - b),
  }));

  const settings = Object.entries(result.settings);
  const totals = totalsOf(rules);
  const runErrors = result.runErrors.map(redact);
  const incomplete = incompletenessOf({ rules, runErrors, run: { interrupted: result.interrupted } });
  const { cleanup } = result;
  const testRequests = result.outcomes.reduce((sum, outcome) => sum + (outcome.evidence?.requests ?? 0), 0);
  return {
    format: REPORT_FORMAT_VERSION,
    schemaVersion: REPORT_SCHEMA_VERSION,
    harness: { name: 'kvs-conformance', version: input.harnessVersion },
    spec: {
      file: contract.specFile,
      version: contract.specVersion,
      overlay: contract.overlay.version,
      comparedAgainst: contract.overlay.comparedAgainst.version,
      ...(givenSpec === undefined ? {} : { given: givenSpec }),
    },
    rulesReference: input.rulesReference,
    target: { url: stripCredentials(redact(result.targetUrl)), embedded: input.embedded },
    drivers: result.drivers.map((driver) => ({
      name: driver.name,
      package: driver.package ?? null,
      version: driver.version ?? null,
      transport: driver.transport,
    })),
    profile: {
      preset: input.preset ?? null,
      assumptions: settings.map(([setting, value]) => {
        const definition = contract.profiles.settings.get(setting as never);
        return {
          setting,
          value,
          meaning: definition?.values.get(String(value)) ?? definition?.summary ?? '',
          source: describeSources(definition?.source ?? []),
          sources: (definition?.source ?? []).map(reportSource),
          reference: `${input.rulesReference.url}#${settingAnchor(setting)}`,
        };
      }),
    },
    run: {
      seed: result.seed,
      ...(input.seedSource === undefined ? {} : { seedSource: input.seedSource }),
      runs: result.runs,
      ...(result.maxCommands === undefined ? {} : { maxCommands: result.maxCommands }),
      ...(result.driverFlags === undefined ? {} : { driverFlags: result.driverFlags.map(redact) }),
      shard: input.shard ?? null,
      startedAt: result.startedAt.toISOString(),
      finishedAt: new Date(result.startedAt.getTime() + result.durationMs).toISOString(),
      durationMs: result.durationMs,
      interrupted: result.interrupted,
    },
    verdict: verdictOf({ totals, incomplete }),
    incomplete,
    totals,
    rules,
    coverage,
    consistency: consistencySection(
      {
        observations: observations.length,
        fresh: observations.filter((o) => o.outcome === 'fresh').length,
        violations: observations.filter((o) => o.outcome === 'violation').length,
        staleReads: observations.reduce((sum, o) => sum + o.staleReads, 0),
      },
      observations.filter((o) => o.outcome === 'tolerated-stale').map((o) => o.staleForMs),
      {
        watches: watches.length,
        reverted: watches.filter((w) => w.outcome === 'reverted').length,
        reads: watches.reduce((sum, w) => sum + w.reads, 0),
        longestHeldMs: Math.max(0, ...watches.filter((w) => w.outcome === 'held').map((w) => w.afterMs)),
      },
    ),
    runErrors,
    cleanup: {
      created: cleanup.created,
      deleted: cleanup.deleted,
      left: cleanup.left.map((store) => ({ id: redact(store.id), reason: redact(store.reason) })),
      problems: cleanup.problems.map(redact),
    },
    ...(result.requests
      ? {
          requests: {
            total: testRequests + result.requests.suiteFiles + result.requests.runner,
            tests: testRequests,
            suiteFiles: result.requests.suiteFiles,
            runner: result.requests.runner,
          },
        }
      : {}),
  };
}

/** A failing command sequence's steps and curl script, when the failure's evidence has them (redacted). */
function sequenceOf(
  evidence: Readonly<Record<string, unknown>> | undefined,
  redact: (text: string) => string,
): Pick<ReportFailure, 'sequence' | 'curlScript'> {
  const steps = evidence?.sequence;
  const script = evidence?.curlScript;
  if (!Array.isArray(steps) || typeof script !== 'string') return {};
  return {
    sequence: (steps as ReportSequenceStep[]).map((step) => ({
      step: step.step,
      command: redact(step.command),
      requests: step.requests.map(redact),
      expected: redact(step.expected),
      got: redact(step.got),
    })),
    curlScript: redact(script),
  };
}
