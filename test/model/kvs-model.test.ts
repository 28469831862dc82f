// The model of the contract on its own: each operation's outcome in each state, the consistency
// window, and laws over random operation sequences (names stay unique, deleted stores stay deleted).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { judgeKeysPage, KvsModel, type JudgedKeysPage, type ModelSettings } from '../../harness/index.ts';

const STRONG: ModelSettings = {
  overwriteStatuses: [201],
  deleteMissingStatuses: [204, 404],
  windowMs: 0,
  keysMaxLimit: 1000,
  writeBodyEmptyObject: true,
  recordMissErrorTypes: undefined,
  zipDownload: true,
};
const record = (text: string, contentType = 'text/plain') => ({ value: Buffer.from(text), contentType });

describe('the store model', () => {
  it('get-or-create: a new name creates (201), a taken one answers its store (200), a deleted one creates again', () => {
    const model = new KvsModel(STRONG);
    expect(model.create('n')).toEqual({ kind: 'new', status: 201 });
    const store = model.addStore('id1', 'n');
    expect(model.create('n')).toEqual({ kind: 'existing', store, status: 200 });
    expect(model.create(undefined)).toEqual({ kind: 'new', status: 201 });
    expect(model.deleteStore(store)).toBe('deleted');
    expect(model.deleteStore(store)).toBe('missing-store');
    expect(model.create('n')).toEqual({ kind: 'new', status: 201 });
  });

  it('rename: onto a taken name is refused and changes nothing; to null frees the name; back to an old name works', () => {
    const model = new KvsModel(STRONG);
    const a = model.addStore('a', 'n0');
    const b = model.addStore('b', 'n1');
    expect(model.rename(b, 'n0')).toBe('taken');
    expect([a.name, b.name]).toEqual(['n0', 'n1']);
    expect(model.rename(a, 'n0')).toBe('renamed');
    expect(a.renamed).toBe(false);
    expect(model.rename(a, null)).toBe('renamed');
    expect(model.storeNamed('n0')).toBeUndefined();
    expect(model.rename(b, 'n0')).toBe('renamed');
    expect(b.formerNames).toEqual(['n1']);
    expect(model.rename(b, 'n1')).toBe('renamed');
    expect(model.storeNamed('n1')).toBe(b);
    model.deleteStore(b);
    expect(model.rename(b, 'n2')).toBe('missing-store');
  });

  it('records: create, overwrite, delete and a delete of a missing key, per store', () => {
    const model = new KvsModel(STRONG);
    const a = model.addStore('a', null);
    const b = model.addStore('b', null);
    expect(model.writeRecord(a, 'k', record('1'), 0)).toBe('created');
    expect(model.writeRecord(a, 'k', record('22'), 1)).toBe('overwritten');
    expect(model.readRecord(a, 'k', 2)).toEqual([record('22')]);
    expect(model.readRecord(b, 'k', 2)).toEqual([undefined]);
    expect(model.deleteRecord(b, 'k', 3)).toBe('missing-key');
    expect(model.deleteRecord(a, 'k', 3)).toBe('deleted');
    expect(model.readRecord(a, 'k', 4)).toEqual([undefined]);
    expect(model.history(a, 'k')?.wasDeleted).toBe(true);
    model.deleteStore(a);
    expect(model.writeRecord(a, 'k', record('x'), 5)).toBe('missing-store');
    expect(model.readRecord(a, 'k', 5)).toBeUndefined();
  });

  it('under eventual a read may show a replaced state until the window has passed, under strong never', () => {
    const eventual = new KvsModel({ ...STRONG, windowMs: 100 });
    const store = eventual.addStore('a', null);
    eventual.writeRecord(store, 'k', record('old'), 1000);
    eventual.writeRecord(store, 'k', record('new'), 2000);
    expect(eventual.readRecord(store, 'k', 2050)).toEqual([record('new'), record('old')]);
    expect(eventual.readRecord(store, 'k', 2100)).toEqual([record('new')]);
    const strong = new KvsModel(STRONG);
    const same = strong.addStore('a', null);
    strong.writeRecord(same, 'k', record('old'), 1000);
    strong.writeRecord(same, 'k', record('new'), 2000);
    expect(strong.readRecord(same, 'k', 2000)).toEqual([record('new')]);
  });

  it('key views are in UTF-8 binary order and leave out keys that can only be absent', () => {
    const model = new KvsModel(STRONG);
    const store = model.addStore('a', null);
    for (const key of ['é', 'a', 'B', 'a-b', 'gone']) model.writeRecord(store, key, record(key), 0);
    model.deleteRecord(store, 'gone', 1);
    expect(model.keyViews(store, 2).map((view) => view.key)).toEqual(['B', 'a', 'a-b', 'é']);
  });

  it('law: over any operation sequence, live stores hold distinct names and a deleted store stays deleted', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('create' as const), name: fc.option(fc.constantFrom('x', 'y', 'z')) }),
      fc.record({
        kind: fc.constant('rename' as const),
        store: fc.nat(5),
        name: fc.option(fc.constantFrom('x', 'y', 'z')),
      }),
      fc.record({ kind: fc.constant('delete' as const), store: fc.nat(5) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const model = new KvsModel(STRONG);
        const deleted = new Set<string>();
        ops.forEach((step, index) => {
          const store =
            'store' in step ? model.stores[step.store % Math.max(1, model.stores.length)] : undefined;
          if (step.kind === 'create') {
            const outcome = model.create(step.name ?? undefined);
            if (outcome.kind === 'new') model.addStore(`id${index}`, step.name);
          } else if (store && step.kind === 'rename') model.rename(store, step.name);
          else if (store && step.kind === 'delete' && model.deleteStore(store) === 'deleted')
            deleted.add(store.id);
          const names = model.liveStores().flatMap((s) => (s.name === null ? [] : [s.name]));
          expect(new Set(names).size).toBe(names.length);
          for (const s of model.stores) expect(s.deleted).toBe(deleted.has(s.id));
        });
      }),
    );
  });
});

describe('judging a key page', () => {
  const model = new KvsModel(STRONG);
  const store = model.addStore('a', null);
  for (const key of ['a', 'b', 'c']) model.writeRecord(store, key, record(key.repeat(2)), 0);
  model.writeRecord(store, 'd', record('x'), 0);
  model.deleteRecord(store, 'd', 1);
  const views = model.keyViews(store, 2);
  const item = (key: string) => ({ key, size: 2 });
  const page: JudgedKeysPage = {
    items: [item('a'), item('b')],
    count: 2,
    limit: 2,
    isTruncated: true,
    exclusiveStartKey: null,
    nextExclusiveStartKey: 'b',
  };
  const rules = (overrides: Partial<JudgedKeysPage>, query = { limit: 2 }) =>
    judgeKeysPage(views, new Set(['d']), query, { ...page, ...overrides }, 1000).map((v) => v.ruleId);

  it('accepts the one right page and names the rule of each departure', () => {
    expect(rules({})).toEqual([]);
    expect(rules({ items: [item('a'), { key: 'b', size: 3 }] })).toEqual(['KVS-KEYS-008']);
    expect(rules({ nextExclusiveStartKey: 'a' })).toEqual(['KVS-KEYS-004']);
    expect(rules({ exclusiveStartKey: 'a' })).toEqual(['KVS-KEYS-006']);
    expect(rules({ items: [item('b'), item('a')], nextExclusiveStartKey: 'a' })).toEqual(['KVS-KEYS-002']);
    // b is missing (and, past c, nothing remains although the page says truncated).
    expect(rules({ items: [item('a'), item('c')], nextExclusiveStartKey: 'c' })).toEqual([
      'KVS-KEYS-001',
      'KVS-KEYS-003',
    ]);
    expect(
      rules(
        {
          items: [item('a'), item('b'), item('c'), { key: 'd', size: 1 }],
          count: 4,
          limit: 1000,
          isTruncated: false,
          nextExclusiveStartKey: null,
        },
        {} as { limit: number },
      ),
    ).toEqual(['KVS-RECORD-009']);
    expect(
      rules(
        { items: [item('a'), item('b'), item('c')], count: 3, limit: 1000, isTruncated: false },
        {} as { limit: number },
      ),
    ).toEqual(['KVS-KEYS-005']);
    expect(rules({ isTruncated: false, nextExclusiveStartKey: null })).toEqual(['KVS-KEYS-003']);
  });
});
