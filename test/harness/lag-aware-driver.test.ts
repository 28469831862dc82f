// A client driver's miss of what the run wrote (harness/drivers/lag-aware-driver.ts): lag lands on
// its one rule (KVS-CONS-001, KVS-STATE-001) and the test goes on with the later answer; a miss
// that stays is returned to the test; a key never written is never re-read; a miss the library
// threw (an error carrying status 404) is KVS-NOTFOUND-005's alone and the call returns the miss.
import { describe, expect, it } from 'vitest';
import type { Failure } from '../../harness/failures.ts';
import type { KvsDriver, RecordValue, StoreInfo } from '../../harness/drivers/kvs-driver.ts';
import { lagAwareDriver } from '../../harness/drivers/lag-aware-driver.ts';
import { ReadBackLedger } from '../../harness/drivers/read-back-ledger.ts';

const STORE: StoreInfo = { id: 's1', name: null, createdAt: '', modifiedAt: '' };
const VALUE: RecordValue = { value: Buffer.from('v'), contentType: 'text/plain' };

/** A driver over HTTP whose reads of a key miss `missesFirst` times before they find it. */
function fakeDriver(missesFirst: number): KvsDriver & { reads: number } {
  const driver = {
    name: 'fake',
    info: { name: 'fake', package: undefined, version: undefined, transport: 'http' as const },
    reads: 0,
    listStores: () => Promise.reject(new Error('not used')),
    getOrCreateStore: () => Promise.resolve(STORE),
    getStore: () => Promise.resolve(STORE),
    updateStore: () => Promise.resolve(STORE),
    deleteStore: () => Promise.resolve(),
    listKeys: () => Promise.reject(new Error('not used')),
    getRecord: (_storeId: string, key: string) => {
      driver.reads += 1;
      return Promise.resolve(key === 'written' && driver.reads > missesFirst ? VALUE : undefined);
    },
    recordExists: () => Promise.resolve(false),
    setRecord: () => Promise.resolve(),
    deleteRecord: () => Promise.resolve(),
  };
  return driver;
}

function wrap(driver: KvsDriver, budgetMs = 300): { driver: KvsDriver; failures: Failure[] } {
  const failures: Failure[] = [];
  const wrapped = lagAwareDriver(driver, {
    ledger: new ReadBackLedger(),
    budgetMs,
    recordViolation: (failure) => failures.push(failure) > 0,
  });
  return { driver: wrapped, failures };
}

describe('lagAwareDriver', () => {
  it('a miss of a key written for the first time that the same call then finds is KVS-CONS-001, and the test gets the value', async () => {
    const fake = fakeDriver(2);
    const { driver, failures } = wrap(fake);
    await driver.setRecord('s1', 'written', VALUE.value, VALUE.contentType);
    await expect(driver.getRecord('s1', 'written')).resolves.toEqual(VALUE);
    expect(failures.map((failure) => failure.ruleId)).toEqual(['KVS-CONS-001']);
    expect(failures[0]?.message).toMatch(
      /^fake: getRecord\(s1, "written"\) missed although key "written" of store s1 was written for the first time/,
    );
  });

  it('a miss that stays is returned to the test, with no lag failure', async () => {
    const fake = fakeDriver(Infinity);
    const { driver, failures } = wrap(fake, 100);
    await driver.setRecord('s1', 'written', VALUE.value, VALUE.contentType);
    await expect(driver.getRecord('s1', 'written')).resolves.toBeUndefined();
    expect(failures).toEqual([]);
    expect(fake.reads).toBeGreaterThan(1);
  });

  it('a 404 the library throws on a miss is recorded on KVS-NOTFOUND-005 and the call returns undefined or false', async () => {
    const notFound = (): Promise<never> =>
      Promise.reject(Object.assign(new Error('404 record-not-found: Record was not found'), { status: 404 }));
    const fake = {
      ...fakeDriver(Infinity),
      getRecord: notFound,
      recordExists: notFound,
      getStore: () =>
        Promise.reject(Object.assign(new Error('not found'), { statusCode: 404, type: 'record-not-found' })),
      listKeys: notFound,
    };
    const { driver, failures } = wrap(fake);
    await expect(driver.getRecord('s1', 'missing')).resolves.toBeUndefined();
    await expect(driver.recordExists('s1', 'missing')).resolves.toBe(false);
    await expect(driver.getStore('gone')).resolves.toBeUndefined();
    // A listing has no miss value of its own: its 404 stays thrown (the test's to judge).
    await expect(driver.listKeys('gone')).rejects.toThrow('404 record-not-found');
    expect(failures.map((failure) => failure.ruleId)).toEqual([
      'KVS-NOTFOUND-005',
      'KVS-NOTFOUND-005',
      'KVS-NOTFOUND-005',
    ]);
    expect(failures[0]?.message).toMatch(
      /^fake: getRecord\(s1, "missing"\) threw on a miss \(a 404\) instead of returning undefined: 404 record-not-found/,
    );
    // Any other thrown error stays the test's.
    const broken = { ...fakeDriver(Infinity), getRecord: () => Promise.reject(new Error('socket hang up')) };
    await expect(wrap(broken).driver.getRecord('s1', 'k')).rejects.toThrow('socket hang up');
  });

  it('a key never written, or deleted, is read once', async () => {
    const fake = fakeDriver(Infinity);
    const { driver, failures } = wrap(fake);
    await expect(driver.getRecord('s1', 'other')).resolves.toBeUndefined();
    await driver.setRecord('s1', 'written', VALUE.value, VALUE.contentType);
    await driver.deleteRecord('s1', 'written');
    await expect(driver.getRecord('s1', 'written')).resolves.toBeUndefined();
    expect(fake.reads).toBe(2);
    expect(failures).toEqual([]);
  });
});
