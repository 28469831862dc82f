import { describe, expect, it } from 'vitest';
import { ConsistencySimulator } from '../../server/consistency-simulator.ts';
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

describe('the consistency simulator (fake clock)', () => {
  it('under eventual, an overwrite shows the old value for exactly the stale period, then the new one', () => {
    const { simulator, advance } = eventual(500);
    const v1 = record('v1');
    const v2 = record('v2');
    simulator.beforeChange('s', 'k', v1);
    expect(simulator.read('s', 'k', v2)).toBe(v1);
    advance(499);
    expect(simulator.read('s', 'k', v2)).toBe(v1);
    advance(1);
    expect(simulator.read('s', 'k', v2)).toBe(v2);
  });

  it('under eventual, a new key is visible at once unless it was read (404) within the stale period before', () => {
    const { simulator, advance } = eventual(500);
    simulator.beforeChange('s', 'fresh', undefined);
    expect(simulator.read('s', 'fresh', record('x'))?.value.toString()).toBe('x');
    simulator.noteMiss('s', 'missed');
    advance(100);
    simulator.beforeChange('s', 'missed', undefined);
    expect(simulator.read('s', 'missed', record('y'))).toBeUndefined();
    advance(500);
    expect(simulator.read('s', 'missed', record('y'))?.value.toString()).toBe('y');
  });

  it('under eventual, a deleted record stays listed and readable for the stale period only', () => {
    const { simulator, advance } = eventual(300);
    simulator.beforeChange('s', 'k', record('old'));
    expect(simulator.read('s', 'k', undefined)?.value.toString()).toBe('old');
    expect(simulator.list('s', [])).toEqual([{ key: 'k', size: 3 }]);
    advance(300);
    expect(simulator.read('s', 'k', undefined)).toBeUndefined();
    expect(simulator.list('s', [])).toEqual([]);
  });

  it('under strong, never shows anything but the current state', () => {
    const simulator = new ConsistencySimulator({ mode: 'strong', staleMs: 1000, distribution: 'fixed' });
    simulator.noteMiss('s', 'k');
    simulator.beforeChange('s', 'k', record('old'));
    expect(simulator.read('s', 'k', record('new'))?.value.toString()).toBe('new');
    expect(simulator.list('s', [{ key: 'k', size: 3 }])).toEqual([{ key: 'k', size: 3 }]);
  });
});
