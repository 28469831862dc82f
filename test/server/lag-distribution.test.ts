import { describe, expect, it } from 'vitest';
import {
  LagSpecError,
  drawLag,
  formatLagDistribution,
  lagCdf,
  parseLagDistribution,
} from '../../server/lag-distribution.ts';

describe('lag distributions of the consistency simulator', () => {
  it('parses every form and formats it back', () => {
    for (const spec of [
      'fixed:200',
      'uniform:0:400',
      'uniform:50:400',
      'exponential:100',
      'uniform:0:100@0.95+exponential:1000@0.05',
    ]) {
      expect(formatLagDistribution(parseLagDistribution(spec))).toBe(spec);
    }
    expect(parseLagDistribution('uniform:400')).toEqual({ kind: 'uniform', minMs: 0, maxMs: 400 });
  });

  it('refuses a bad spec with a message that says what is allowed', () => {
    for (const spec of [
      '',
      'fixed',
      'fixed:-1',
      'uniform:5:1',
      'normal:3',
      'fixed:1@0.5+fixed:2',
      'fixed:1@0',
    ]) {
      expect(() => parseLagDistribution(spec)).toThrow(LagSpecError);
    }
    expect(() => parseLagDistribution('normal:3')).toThrow(/allowed: fixed:MS/);
  });

  it('distribution functions: fixed steps, uniform ramps, exponential and mixtures weigh their parts', () => {
    expect(lagCdf(parseLagDistribution('fixed:10'), 9.9)).toBe(0);
    expect(lagCdf(parseLagDistribution('fixed:10'), 10)).toBe(1);
    expect(lagCdf(parseLagDistribution('uniform:100:200'), 150)).toBeCloseTo(0.5);
    expect(lagCdf(parseLagDistribution('exponential:100'), 100)).toBeCloseTo(1 - Math.exp(-1));
    expect(lagCdf(parseLagDistribution('fixed:0@3+fixed:100@1'), 50)).toBeCloseTo(0.75);
  });

  it('draws follow the distribution function (2000 draws, fixed stream: KS distance < 0.04)', () => {
    let state = 12345;
    // A fixed linear congruential stream: the check is about drawLag's mapping, not the generator.
    const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (const spec of ['uniform:10:90', 'exponential:50', 'uniform:0:20@0.9+exponential:500@0.1']) {
      const lag = parseLagDistribution(spec);
      const draws = Array.from({ length: 2000 }, () => drawLag(lag, random)).sort((a, b) => a - b);
      const distance = Math.max(
        ...draws.map((value, index) =>
          Math.max(
            Math.abs((index + 1) / draws.length - lagCdf(lag, value)),
            Math.abs(index / draws.length - lagCdf(lag, value)),
          ),
        ),
      );
      expect(distance, spec).toBeLessThan(0.04);
    }
  });
});
