/**
 * Tool errors: problems with the harness's input or environment (bad options, an invalid spec,
 * an unreachable target). They are never contract failures; see failures.ts for those.
 * Every code is stable; tests pin the table below.
 */

/** Stable error codes with what each one means for the user. */
export const HARNESS_ERROR_CODES = {
  KVSC_USAGE: 'the command line, a config file or an environment variable holds a value that is not allowed',
  KVSC_SPEC_UNREADABLE: 'a contract file could not be read or parsed as YAML',
  KVSC_SPEC_INVALID: 'spec/openapi.yaml is not a valid OpenAPI 3 document',
  KVSC_SPEC_REF_BROKEN: 'a $ref in spec/openapi.yaml points at nothing',
  KVSC_SPEC_LIMIT_MISSING: 'a limit the harness reads from the spec is missing or inconsistent',
  KVSC_SPEC_OPERATION_MISSING: 'the OpenAPI document lacks a key-value-store operation the harness checks',
  KVSC_OVERLAY_INVALID: 'spec/overlay.yaml is not an Overlay 1.0 document the harness can apply',
  KVSC_RULES_INVALID: 'spec/rules.yaml has a malformed or duplicate rule',
  KVSC_RULE_UNKNOWN_OPERATION: 'a rule cites an operationId the spec does not define',
  KVSC_PROFILE_INVALID: 'a profile setting or preset is unknown or has a value that is not allowed',
  KVSC_TARGET_UNREACHABLE: 'the target did not answer as a KVS server before any rule was checked',
  KVSC_RUN_FAILED: 'the test runner could not run the suites (nothing was judged)',
  KVSC_PACKAGE_MISSING: 'a feature needs an optional package that is not installed',
  KVSC_NOT_APPLICABLE:
    "a test asked for what the run's target cannot give (under --run-id: a store of its own); its rules are not applicable",
  KVSC_TOKEN_REFUSED:
    'the target answered 401 or 403 before any rule was checked: the token is missing, wrong or lacks access',
} as const;

/** One of the stable error codes. */
export type HarnessErrorCode = keyof typeof HARNESS_ERROR_CODES;

/** Where in which file the problem is: a JSON pointer and, where known, its line and column. */
export interface SourceLocation {
  readonly file: string;
  readonly pointer: string;
  readonly line?: number;
  readonly column?: number;
}

/** Options of a HarnessError beyond its code and message. */
export interface HarnessErrorOptions {
  readonly location?: SourceLocation;
  /** What the user can do about it. */
  readonly hint?: string;
  readonly cause?: unknown;
}

/** Renders a location as `file#/pointer (line L, column C)`. */
export function formatLocation(location: SourceLocation): string {
  const position =
    location.line === undefined ? '' : ` (line ${location.line}, column ${location.column ?? 1})`;
  return `${location.file}#${location.pointer}${position}`;
}

/** A problem with the harness's input or environment, with a stable code. */
export class HarnessError extends Error {
  override readonly name = 'HarnessError';
  readonly code: HarnessErrorCode;
  readonly location: SourceLocation | undefined;
  readonly hint: string | undefined;
  /** The reason alone, without code or location. */
  readonly reason: string;

  constructor(code: HarnessErrorCode, reason: string, options: HarnessErrorOptions = {}) {
    const where = options.location ? `${formatLocation(options.location)}: ` : '';
    const hint = options.hint ? ` — ${options.hint}` : '';
    super(`${code}: ${where}${reason}${hint}`, options.cause === undefined ? {} : { cause: options.cause });
    this.code = code;
    this.reason = reason;
    this.location = options.location;
    this.hint = options.hint;
  }
}
