/**
 * How long a change stays invisible to a reader (ms): the simulator draws one lag per change and
 * replica from one of these.
 */
export type LagDistribution =
  | { readonly kind: 'fixed'; readonly ms: number }
  | { readonly kind: 'uniform'; readonly minMs: number; readonly maxMs: number }
  | { readonly kind: 'exponential'; readonly meanMs: number }
  | { readonly kind: 'mixture'; readonly parts: readonly MixturePart[] };

/** One component of a mixture and its weight (weights are relative; they need not sum to 1). */
export interface MixturePart {
  readonly weight: number;
  readonly lag: Exclude<LagDistribution, { kind: 'mixture' }>;
}

/** A lag spec that cannot be parsed. */
export class LagSpecError extends Error {
  override readonly name = 'LagSpecError';
}

const SPEC_HELP =
  'allowed: fixed:MS, uniform:MAX or uniform:MIN:MAX, exponential:MEAN, or a mixture such as uniform:0:100@0.95+exponential:1000@0.05';

function nonNegative(text: string | undefined, spec: string): number {
  const value = Number(text);
  if (text === undefined || text.trim() === '' || !Number.isFinite(value) || value < 0) {
    throw new LagSpecError(`lag "${spec}": "${text ?? ''}" is not a number ≥ 0; ${SPEC_HELP}`);
  }
  return value;
}

function parseSimple(part: string, spec: string): MixturePart['lag'] {
  const [kind, ...args] = part.split(':');
  if (kind === 'fixed' && args.length === 1) return { kind, ms: nonNegative(args[0], spec) };
  if (kind === 'exponential' && args.length === 1) return { kind, meanMs: nonNegative(args[0], spec) };
  if (kind === 'uniform' && (args.length === 1 || args.length === 2)) {
    const [minMs, maxMs] =
      args.length === 1 ? [0, nonNegative(args[0], spec)] : args.map((arg) => nonNegative(arg, spec));
    if (minMs === undefined || maxMs === undefined || minMs > maxMs) {
      throw new LagSpecError(`lag "${spec}": uniform needs MIN ≤ MAX; ${SPEC_HELP}`);
    }
    return { kind, minMs, maxMs };
  }
  throw new LagSpecError(`lag "${spec}" is not understood; ${SPEC_HELP}`);
}

/**
 * Parses a lag spec: `fixed:200`, `uniform:400` (0–400), `uniform:50:400`, `exponential:100` (mean),
 * or a mixture of those joined by `+`, each with `@weight` (`uniform:0:100@0.95+exponential:1000@0.05`).
 */
export function parseLagDistribution(spec: string): LagDistribution {
  const parts = spec.split('+');
  if (parts.length === 1 && !spec.includes('@')) return parseSimple(spec, spec);
  return {
    kind: 'mixture',
    parts: parts.map((part) => {
      const [lag, weight, ...rest] = part.split('@');
      if (lag === undefined || weight === undefined || rest.length > 0) {
        throw new LagSpecError(`lag "${spec}": every mixture part needs one @weight; ${SPEC_HELP}`);
      }
      const parsedWeight = nonNegative(weight, spec);
      if (parsedWeight === 0) throw new LagSpecError(`lag "${spec}": a mixture weight is 0; ${SPEC_HELP}`);
      return { weight: parsedWeight, lag: parseSimple(lag, spec) };
    }),
  };
}

/** The spec text of a distribution (the inverse of `parseLagDistribution`). */
export function formatLagDistribution(lag: LagDistribution): string {
  switch (lag.kind) {
    case 'fixed':
      return `fixed:${lag.ms}`;
    case 'uniform':
      return `uniform:${lag.minMs}:${lag.maxMs}`;
    case 'exponential':
      return `exponential:${lag.meanMs}`;
    case 'mixture':
      return lag.parts.map((part) => `${formatLagDistribution(part.lag)}@${part.weight}`).join('+');
  }
}

/** Draws one lag (ms) from the distribution; `random` returns uniform numbers in [0, 1). */
export function drawLag(lag: LagDistribution, random: () => number): number {
  switch (lag.kind) {
    case 'fixed':
      return lag.ms;
    case 'uniform':
      return lag.minMs + random() * (lag.maxMs - lag.minMs);
    case 'exponential':
      return -lag.meanMs * Math.log(1 - random());
    case 'mixture': {
      const total = lag.parts.reduce((sum, part) => sum + part.weight, 0);
      let pick = random() * total;
      for (const part of lag.parts) {
        pick -= part.weight;
        if (pick < 0) return drawLag(part.lag, random);
      }
      return drawLag(lag.parts.at(-1)?.lag ?? { kind: 'fixed', ms: 0 }, random);
    }
  }
}

/** P(lag ≤ t): the distribution function, for comparing a measurement with the configured truth. */
export function lagCdf(lag: LagDistribution, t: number): number {
  switch (lag.kind) {
    case 'fixed':
      return t >= lag.ms ? 1 : 0;
    case 'uniform':
      if (t >= lag.maxMs) return 1;
      if (t < lag.minMs) return 0;
      return (t - lag.minMs) / (lag.maxMs - lag.minMs);
    case 'exponential':
      if (t < 0) return 0;
      return lag.meanMs === 0 ? 1 : 1 - Math.exp(-t / lag.meanMs);
    case 'mixture': {
      const total = lag.parts.reduce((sum, part) => sum + part.weight, 0);
      return lag.parts.reduce((sum, part) => sum + (part.weight / total) * lagCdf(part.lag, t), 0);
    }
  }
}
