import { InvalidArgumentError } from 'commander';

/** A commander parser for a whole number in [minimum, maximum], with a message saying what is allowed. */
export function wholeNumber(minimum: number, maximum = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const number = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(number) || number < minimum || number > maximum) {
      throw new InvalidArgumentError(`allowed: a whole number from ${minimum} to ${maximum}.`);
    }
    return number;
  };
}

/** A commander parser for one of a fixed set of values. */
export function oneOf<T extends string>(values: readonly T[]): (value: string) => T {
  return (value) => {
    if (!(values as readonly string[]).includes(value))
      throw new InvalidArgumentError(`allowed: ${values.join(', ')}.`);
    return value as T;
  };
}

/** A commander parser that collects a repeatable option into a list. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
