import type { RunVerdict } from '../reports/index.ts';

/** Process exit codes of every subcommand. */
export const EXIT_CODES = {
  /** PASS (with expected deviations or not), or PASS WITH WARNINGS without --strict (or the command did its job). */
  ok: 0,
  /** FAIL: a MUST rule failed (or, with --strict, a SHOULD rule). */
  ruleFailed: 1,
  /** INCOMPLETE, usage error, invalid spec or config, unreachable target: not everything was judged. */
  toolError: 2,
} as const;

/** The exit code of a run's verdict: 0 / 0 (1 with --strict) / 1 / 2. */
export function exitCodeFor(verdict: RunVerdict, strict: boolean): number {
  switch (verdict) {
    case 'PASS':
    case 'PASS WITH EXPECTED DEVIATIONS':
      return EXIT_CODES.ok;
    case 'PASS WITH WARNINGS':
      return strict ? EXIT_CODES.ruleFailed : EXIT_CODES.ok;
    case 'FAIL':
      return EXIT_CODES.ruleFailed;
    case 'INCOMPLETE':
      return EXIT_CODES.toolError;
  }
}
