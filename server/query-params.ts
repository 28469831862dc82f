import { invalidInput } from './api-error.ts';

/** Query parameters accepted on every route (auth). */
const GLOBAL_PARAMS = ['token'];

/**
 * The query of one request, checked against the parameters its route accepts. Every parse method
 * answers 400 with the parameter, the received value and what is allowed.
 */
export class QueryParams {
  readonly #params: URLSearchParams;

  constructor(params: URLSearchParams, allowed: readonly string[]) {
    this.#params = params;
    if (params.size === 0) return;
    for (const name of new Set(params.keys())) {
      if (!allowed.includes(name) && !GLOBAL_PARAMS.includes(name)) {
        const accepted = [...allowed, ...GLOBAL_PARAMS].join(', ');
        throw invalidInput(`Unknown query parameter "${name}"; this endpoint accepts: ${accepted}.`);
      }
      if (params.getAll(name).length > 1)
        throw invalidInput(`Query parameter "${name}" is given more than once.`);
    }
  }

  string(name: string): string | undefined {
    return this.#params.get(name) ?? undefined;
  }

  /** `true`/`1` and `false`/`0` (case-insensitive); absent → `fallback`. */
  boolean(name: string, fallback: boolean): boolean {
    const value = this.#params.get(name);
    if (value === null) return fallback;
    const normalized = value.toLowerCase();
    if (normalized === 'true' || normalized === '1') return true;
    if (normalized === 'false' || normalized === '0' || normalized === '') return false;
    throw invalidInput(`Query parameter "${name}" is "${value}"; allowed: true, false, 1, 0.`);
  }

  /** A whole number ≥ minimum; absent → undefined. */
  integer(name: string, minimum: number): number | undefined {
    const value = this.#params.get(name);
    if (value === null) return undefined;
    const number = /^\s*-?\d+(\.0*)?\s*$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(number) || number < minimum) {
      throw invalidInput(`Query parameter "${name}" is "${value}"; allowed: a whole number ≥ ${minimum}.`);
    }
    return number;
  }

  /** One of `values`; absent → undefined. */
  oneOf<T extends string>(name: string, values: readonly T[]): T | undefined {
    const value = this.#params.get(name);
    if (value === null) return undefined;
    if (!(values as readonly string[]).includes(value)) {
      throw invalidInput(`Query parameter "${name}" is "${value}"; allowed: ${values.join(', ')}.`);
    }
    return value as T;
  }
}
