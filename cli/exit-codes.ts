/** Process exit codes of every subcommand. */
export const EXIT_CODES = {
  /** Every MUST rule passed (or the command did its job). */
  ok: 0,
  /** At least one MUST rule failed. */
  ruleFailed: 1,
  /** Usage error, invalid spec or config, unreachable target: nothing was judged. */
  toolError: 2,
} as const;
