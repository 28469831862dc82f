import { HarnessError } from '../errors.ts';

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000 };

/** Parses `500ms`, `10s`, `2m` or a bare number of milliseconds; `origin` names where it came from. */
export function parseDuration(value: string | number, origin: string): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(String(value));
  if (!match) {
    throw new HarnessError(
      'KVSC_USAGE',
      `${origin} is ${JSON.stringify(value)}; allowed: a duration such as 500ms, 10s or 2m`,
    );
  }
  return Math.round(Number(match[1]) * (UNITS[match[2] ?? 'ms'] ?? 1));
}
