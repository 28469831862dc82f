import { describe, expect, it } from 'vitest';
import { ConsistencySimulator, type ConsistencyOptions } from '../../server/consistency-simulator.ts';
import { parseLagDistribution } from '../../server/lag-distribution.ts';
import type { StoredRecord } from '../../server/storage/storage-backend.ts';

const record = (text: string): StoredRecord => ({
  key: 'k',
  contentType: 'text/plain',
  encoding: null,
  value: Buffer.from(text),
});

function eventual(staleMs: number) {
  let now = 1_000;
  const simulator = new ConsistencySimulator({ mode: 'eventual', staleMs, distribution: 'fixed' }, () => now);
  return { simulator, advance: (ms: number) => (now += ms) };
}

/** A simulator on a fake clock with per-kind lags, replicas and a seed. */
function configured(options: Partial<ConsistencyOptions>) {
  let now = 1_000;
  const simulator = new ConsistencySimulator(
    { mode: 'eventual', staleMs: 0, distribution: 'fixed', seed: 7, ...options },
    () => now,
  );
  return { simulator, advance: (ms: number) => (now += ms) };
}

/** How long after an overwrite a single read first shows the new value (1 ms steps of the fake clock). */
function overwriteLag(simulator: ConsistencySimulator, advance: (ms: number) => number, key: string): number {
  const before = record('old');
  const after = record('new');
  simulator.beforeChange('s', key, before, 'write');
  for (let waited = 0; ; waited += 1) {
    if (simulator.read('s', key, after) === after) return waited;
    advance(1);
  }
}

describe('the consistency simulator (fake clock)', () => {
  it('under eventual, an overwrite shows the old value for exactly the stale period, then the new one', () => {
    const { simulator, advance } = eventual(500);
    const v1 = record('v1');
    const v2 = record('v2');
    simulator.beforeChange('s', 'k', v1, 'write');
    expect(simulator.read('s', 'k', v2)).toBe(v1);
    advance(499);
    expect(simulator.read('s', 'k', v2)).toBe(v1);
    advance(1);
    expect(simulator.read('s', 'k', v2)).toBe(v2);
  });

  it('under eventual, a new key is visible at once unless it was read (404) within the stale period before', () => {
    const { simulator, advance } = eventual(500);
    simulator.beforeChange('s', 'fresh', undefined, 'write');
    expect(simulator.read('s', 'fresh', record('x'))?.value.toString()).toBe('x');
    simulator.noteMiss('s', 'missed');
    advance(100);
    simulator.beforeChange('s', 'missed', undefined, 'write');
    expect(simulator.read('s', 'missed', record('y'))).toBeUndefined();
    advance(500);
    expect(simulator.read('s', 'missed', record('y'))?.value.toString()).toBe('y');
  });

  it('under eventual, a deleted record stays listed and readable for the stale period only', () => {
    const { simulator, advance } = eventual(300);
    simulator.beforeChange('s', 'k', record('old'), 'delete');
    expect(simulator.read('s', 'k', undefined)?.value.toString()).toBe('old');
    expect(simulator.list('s', [])).toEqual([{ key: 'k', size: 3 }]);
    advance(300);
    expect(simulator.read('s', 'k', undefined)).toBeUndefined();
    expect(simulator.list('s', [])).toEqual([]);
  });

  it('under strong, never shows anything but the current state', () => {
    const simulator = new ConsistencySimulator({ mode: 'strong', staleMs: 1000, distribution: 'fixed' });
    simulator.noteMiss('s', 'k');
    simulator.beforeChange('s', 'k', record('old'), 'write');
    expect(simulator.read('s', 'k', record('new'))?.value.toString()).toBe('new');
    expect(simulator.list('s', [{ key: 'k', size: 3 }])).toEqual([{ key: 'k', size: 3 }]);
  });

  it('draws each kind of change from its own configured distribution', () => {
    const { simulator, advance } = configured({
      lags: { overwrite: parseLagDistribution('fixed:40'), delete: parseLagDistribution('fixed:90') },
    });
    expect(overwriteLag(simulator, advance, 'a')).toBe(40);
    simulator.beforeChange('s', 'b', record('gone'), 'delete');
    advance(89);
    expect(simulator.read('s', 'b', undefined)?.value.toString()).toBe('gone');
    advance(1);
    expect(simulator.read('s', 'b', undefined)).toBeUndefined();
    simulator.beforeChange('s', 'c', undefined, 'write');
    expect(simulator.read('s', 'c', record('x'))?.value.toString()).toBe('x');
  });

  it('with the same seed draws the same lags, with another seed other ones', () => {
    const lags = (seed: number) => {
      const { simulator, advance } = configured({
        seed,
        lags: { overwrite: parseLagDistribution('uniform:0:200') },
      });
      return Array.from({ length: 20 }, (_, index) => overwriteLag(simulator, advance, `k${index}`));
    };
    expect(lags(11)).toEqual(lags(11));
    expect(lags(11)).not.toEqual(lags(12));
  });

  it('an exponential lag has the configured mean (400 draws, fixed seed)', () => {
    const { simulator, advance } = configured({
      lags: { overwrite: parseLagDistribution('exponential:50') },
    });
    const drawn = Array.from({ length: 400 }, (_, index) => overwriteLag(simulator, advance, `k${index}`));
    const mean = drawn.reduce((sum, lag) => sum + lag, 0) / drawn.length;
    // Each draw is seen at the next whole ms (+0.5 on average); the mean's standard error is 50/√400 = 2.5.
    expect(Math.abs(mean - 50.5)).toBeLessThan(10);
    expect(Math.max(...drawn)).toBeGreaterThan(150);
  });

  it('a listing lag of its own: a new key is readable at once but listed only after the listing lag', () => {
    const { simulator, advance } = configured({ lags: { listing: parseLagDistribution('fixed:30') } });
    const fresh = record('x');
    simulator.beforeChange('s', 'k', undefined, 'write');
    expect(simulator.read('s', 'k', fresh)).toBe(fresh);
    expect(simulator.list('s', [{ key: 'k', size: 1 }])).toEqual([]);
    advance(30);
    expect(simulator.list('s', [{ key: 'k', size: 1 }])).toEqual([{ key: 'k', size: 1 }]);
  });

  it('a new store and a renamed one reach the store list after their own lags', () => {
    const { simulator, advance } = configured({
      lags: { 'store-create': parseLagDistribution('fixed:20'), rename: parseLagDistribution('fixed:50') },
    });
    const store = { id: 'S', name: 'before' };
    simulator.noteStoreCreated('S');
    expect(simulator.listStores([store])).toEqual([]);
    advance(20);
    expect(simulator.listStores([store])).toEqual([store]);
    simulator.noteStoreRenamed('S', 'before');
    const renamed = { id: 'S', name: 'after' };
    advance(49);
    expect(simulator.listStores([renamed])).toEqual([{ id: 'S', name: 'before' }]);
    advance(1);
    expect(simulator.listStores([renamed])).toEqual([renamed]);
  });

  it('with one replica reads never go back; with several, a reader sees the new value and then the old one', () => {
    const readsOverTime = (replicas: number) => {
      const { simulator, advance } = configured({
        replicas,
        lags: { overwrite: parseLagDistribution('uniform:0:100') },
      });
      const after = record('new');
      simulator.beforeChange('s', 'k', record('old'), 'write');
      return Array.from({ length: 120 }, () => {
        const seen = simulator.read('s', 'k', after) === after ? 'new' : 'old';
        advance(1);
        return seen;
      }).join(',');
    };
    // Monotonic: once "new", never "old" again.
    expect(readsOverTime(1)).toMatch(/^(old,)*new(,new)*$/);
    expect(readsOverTime(3)).toMatch(/new,(new,)*old/);
    expect(readsOverTime(3).endsWith('new,new,new')).toBe(true);
  });
});
