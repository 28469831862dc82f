import {
  ContractViolationError,
  judgeKeysPage,
  judgeStoreList,
  type KeysQuery,
  type KvsDriver,
  type KvsModel,
  type ModelStore,
  type ModelViolation,
  type RuleId,
  type StoreInfo,
} from '../../../harness/index.ts';
import type { StoreCommandSpec } from '../../../generators/index.ts';
import { commandRefs } from './command-refs.ts';
import { createRuleOf } from './create-rule.ts';
import { judgeRecordRead } from './judge-record-read.ts';
import type { TranscriptStep } from './sequence-transcript.ts';
import type { StatefulSystem } from './stateful-system.ts';

/**
 * Why `driver` cannot express a command of a sequence (the command is then skipped, and the
 * step says why), or undefined when it can. The driver interface has no zip download; the rest
 * follows the capabilities the driver declares unsupported.
 */
export function driverSkipReason(spec: StoreCommandSpec, driver: KvsDriver): string | undefined {
  const unsupported = driver.unsupported ?? {};
  switch (spec.op) {
    case 'downloadZip':
      return 'the driver interface has no zip download';
    case 'listStores':
      return unsupported.storeList;
    case 'createStore':
      return spec.name === null ? unsupported.unnamedStore : undefined;
    case 'renameStore':
      return unsupported.renameStore ?? (spec.name === null ? unsupported.unnameStore : undefined);
    case 'listKeys':
      return spec.prefix === undefined ? undefined : unsupported.keyPrefix;
    case 'getStore':
    case 'getStoreByName':
    case 'deleteStore':
    case 'putRecord':
    case 'getRecord':
    case 'headRecord':
    case 'deleteRecord':
      return undefined;
  }
}

/** What a call through the driver gave: its value, or what it threw. */
type Outcome<T> = { readonly value: T } | { readonly threw: string };

/**
 * The call's value or what it threw. A contract violation it threw is another rule's (an answer
 * whose stray body broke the library's connection: KVS-SCHEMA-006) and ends the sequence on that
 * rule, never on the step's own.
 */
async function attempt<T>(call: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { value: await call() };
  } catch (error) {
    if (error instanceof ContractViolationError) throw error;
    return { threw: (error as Error).message.split('\n')[0] ?? String(error) };
  }
}

const shown = (outcome: Outcome<unknown>): string =>
  'threw' in outcome
    ? `threw: ${outcome.threw}`
    : outcome.value === undefined
      ? 'undefined'
      : typeof outcome.value === 'boolean'
        ? String(outcome.value)
        : 'a value';

/**
 * Runs one command of a sequence through a client driver (apify-client, an in-process library, a
 * user's module) and judges what the library gives by the same model as the HTTP sequences: a
 * miss as `undefined`, a refused call as a throw, records by their bytes and media type, key
 * pages and store lists by the model's judges. The library's HTTP exchanges, if any, are its own;
 * the step shows what the driver returned. A departure throws a contract failure naming the rule
 * the library breaks, with the whole sequence as evidence.
 */
export async function runDriverCommand(
  spec: StoreCommandSpec,
  model: KvsModel,
  system: StatefulSystem,
  driver: KvsDriver,
  step: TranscriptStep,
): Promise<void> {
  const { transcript } = system;
  const violations: ModelViolation[] = [];
  const violate = (ruleId: RuleId, message: string): void => {
    violations.push({ ruleId, message });
  };
  const call = async <T>(what: string, expected: string, run: () => Promise<T>): Promise<Outcome<T>> => {
    step.expected = expected;
    const outcome = await attempt(run);
    step.got = `${what} ${shown(outcome)}`;
    return outcome;
  };
  /** A call that must not throw: a throw breaks `ruleId`. */
  const must = async <T>(ruleId: RuleId, what: string, expected: string, run: () => Promise<T>) => {
    const outcome = await call(what, expected, run);
    if ('threw' in outcome) violate(ruleId, `${driver.name}: ${what} threw: ${outcome.threw}`);
    return 'value' in outcome ? outcome.value : undefined;
  };
  /** A call the model says must be refused: not throwing breaks `ruleId`. */
  const refused = async (ruleId: RuleId, what: string, why: string, run: () => Promise<unknown>) => {
    const outcome = await call(what, `a throw (${why})`, run);
    if (!('threw' in outcome)) violate(ruleId, `${driver.name}: ${what} did not throw, though ${why}`);
  };
  const { storeAt, nameOf, keyOf } = commandRefs(model, system, step);
  const tracked = (store: StoreInfo): StoreInfo => {
    system.track(store);
    return store;
  };
  const gone = (store: ModelStore): boolean => store.deleted;
  const label = (store: ModelStore): string => `s${store.handle} (${store.id})`;

  switch (spec.op) {
    case 'createStore': {
      const name = spec.name === null ? undefined : nameOf(spec.name);
      const outcome = model.create(name);
      const ruleId = createRuleOf(model, name, outcome);
      const info = await must(
        ruleId,
        `getOrCreateStore(${JSON.stringify(name ?? null)})`,
        outcome.kind === 'existing' ? `s${outcome.store.handle}` : 'a new store',
        async () => tracked(await driver.getOrCreateStore(name)),
      );
      if (!info) break;
      if (outcome.kind === 'existing') {
        system.focus.store = outcome.store.handle;
        if (info.id !== outcome.store.id)
          violate(ruleId, `get-or-create of the taken name gave id ${info.id}, not ${label(outcome.store)}`);
      } else {
        if (model.knowsId(info.id))
          violate(ruleId, `the new store got id ${info.id}, which an earlier store of the sequence had`);
        if (info.name !== (name ?? null))
          violate(
            ruleId,
            `the new store is named ${JSON.stringify(info.name)}, expected ${JSON.stringify(name ?? null)}`,
          );
        system.focus.store = model.addStore(info.id, name ?? null).handle;
      }
      break;
    }
    case 'getStore': {
      const store = storeAt(spec.store);
      const info = await must(
        gone(store) ? 'KVS-NOTFOUND-005' : 'KVS-STATE-001',
        `getStore(${store.id})`,
        gone(store) ? 'undefined' : 'the store',
        () => driver.getStore(store.id),
      );
      if (gone(store)) {
        if (info)
          violate('KVS-NOTFOUND-004', `deleted ${label(store)} still reads as ${JSON.stringify(info)}`);
      } else if (!info) {
        violate('KVS-STATE-001', `${label(store)} reads as missing (undefined)`);
      } else if (info.id !== store.id || info.name !== store.name) {
        violate(
          store.renamed ? 'KVS-RECORD-013' : 'KVS-STATE-001',
          `${label(store)} reads as id ${info.id} named ${JSON.stringify(info.name)}; its name is ${JSON.stringify(store.name)}`,
        );
      }
      break;
    }
    case 'getStoreByName': {
      const name = nameOf(spec.name);
      const holder = model.storeNamed(name);
      // Over HTTP a name is addressed as ~name; an in-process library looks a name up in place of an id.
      const address = driver.info.transport === 'http' ? `~${name}` : name;
      const info = await must(
        'KVS-NAME-008',
        `getStore(${address})`,
        holder ? `s${holder.handle}` : 'undefined',
        () => driver.getStore(address),
      );
      if (holder && info?.id !== holder.id)
        violate(
          'KVS-NAME-008',
          `${address} gives ${info ? info.id : 'undefined'}, not ${label(holder)} which holds the name`,
        );
      if (!holder && info) {
        const previous = model.stores.some((store) => store.formerNames.includes(name));
        violate(
          previous ? 'KVS-NAME-009' : 'KVS-STATE-001',
          `${address} gives store ${info.id}, but no store holds the name ${JSON.stringify(name)} now`,
        );
      }
      break;
    }
    case 'renameStore': {
      const store = storeAt(spec.store);
      const name = spec.name === null ? null : nameOf(spec.name);
      const holder = name === null ? undefined : model.storeNamed(name);
      const unchanged = !store.deleted && store.name === name;
      const outcome = model.rename(store, name);
      const what = `updateStore(${store.id}, { name: ${JSON.stringify(name)} })`;
      if (outcome === 'missing-store') {
        await refused('KVS-NOTFOUND-002', what, 'the store was deleted', () =>
          driver.updateStore(store.id, { name }),
        );
      } else if (outcome === 'taken') {
        await refused('KVS-NAME-007', what, `s${holder?.handle ?? '?'} holds ${name ?? ''}`, () =>
          driver.updateStore(store.id, { name }),
        );
      } else {
        const info = await must('KVS-RECORD-013', what, `the store named ${JSON.stringify(name)}`, () =>
          driver.updateStore(store.id, { name }),
        );
        // No cascade: a refused rename onto the store's own name changed nothing, so the rule fails
        // and the sequence goes on (other findings are not hidden behind this one).
        const refusal = unchanged && info === undefined ? violations.pop() : undefined;
        if (refusal && !system.api.recordViolation(transcript.fail(step, refusal).failure))
          violations.push(refusal);
        if (info && (info.name !== name || info.id !== store.id))
          violate(
            'KVS-RECORD-013',
            `the rename gave id ${info.id} named ${JSON.stringify(info.name)}, expected ${store.id} named ${JSON.stringify(name)}`,
          );
      }
      break;
    }
    case 'deleteStore': {
      const store = storeAt(spec.store);
      // Deleting a deleted store may throw or not; a live store's delete must not.
      if (model.deleteStore(store) === 'deleted')
        await must('KVS-STATE-001', `deleteStore(${store.id})`, 'no throw', () =>
          driver.deleteStore(store.id),
        );
      else await call(`deleteStore(${store.id})`, 'a throw or nothing', () => driver.deleteStore(store.id));
      break;
    }
    case 'putRecord': {
      const store = storeAt(spec.store);
      const key = keyOf(spec.key);
      const { value, contentType } = spec.record;
      const what = `setRecord(${JSON.stringify(key)}, ${value.length} bytes as ${contentType})`;
      if (gone(store)) {
        await refused('KVS-NOTFOUND-002', what, 'the store was deleted', () =>
          driver.setRecord(store.id, key, value, contentType),
        );
        break;
      }
      const existed = model.history(store, key)?.current !== undefined;
      await must(existed ? 'KVS-RECORD-003' : 'KVS-RECORD-002', what, 'no throw', () =>
        driver.setRecord(store.id, key, value, contentType),
      );
      model.writeRecord(store, key, { value, contentType }, system.now());
      break;
    }
    case 'getRecord': {
      const store = storeAt(spec.store);
      const key = keyOf(spec.key);
      const candidates = model.readRecord(store, key, system.now());
      const what = `getRecord(${JSON.stringify(key)})`;
      // A deleted store's records: undefined or a throw.
      if (!candidates) {
        const outcome = await call(what, 'undefined or a throw', () => driver.getRecord(store.id, key));
        // KVS-NOTFOUND-005: a client reads a miss as undefined, never null.
        if ('value' in outcome && outcome.value === null)
          violate('KVS-NOTFOUND-005', `${what} in deleted ${label(store)} gives null; a miss is undefined`);
        else if ('value' in outcome && outcome.value !== undefined)
          violate(
            'KVS-NOTFOUND-004',
            `${what} in deleted ${label(store)} gives ${outcome.value.value.length} bytes`,
          );
        break;
      }
      const mayMiss = candidates.includes(undefined);
      const history = model.history(store, key);
      const got = await must('KVS-STATE-002', what, mayMiss ? 'undefined or a record' : 'the record', () =>
        driver.getRecord(store.id, key),
      );
      if (violations.length > 0) break;
      // KVS-NOTFOUND-005: a client reads a miss as undefined, never null.
      if (got === null) {
        violate(
          mayMiss ? 'KVS-NOTFOUND-005' : 'KVS-STATE-002',
          `${what} gives null; a miss is undefined${mayMiss ? '' : ', and the key holds a record'}`,
        );
      } else if (got === undefined) {
        if (!mayMiss)
          violate(
            history?.wasDeleted && candidates.every((state) => state === undefined)
              ? 'KVS-RECORD-009'
              : 'KVS-STATE-002',
            `${what} gives undefined (a miss), but the key holds ${candidates.map((state) => (state ? `${state.value.length} bytes` : 'no record')).join(' or ')}`,
          );
      } else {
        const violation = judgeRecordRead(key, candidates, history, got);
        if (violation) violations.push(violation);
      }
      break;
    }
    case 'headRecord': {
      const store = storeAt(spec.store);
      const key = keyOf(spec.key);
      const candidates = model.readRecord(store, key, system.now());
      const what = `recordExists(${JSON.stringify(key)})`;
      if (!candidates) {
        await call(what, 'false or a throw', () => driver.recordExists(store.id, key));
        break;
      }
      const mayMiss = candidates.includes(undefined);
      const mayHit = candidates.some((state) => state !== undefined);
      const exists = await must(
        'KVS-RECORD-010',
        what,
        mayHit ? (mayMiss ? 'either' : 'true') : 'false',
        () => driver.recordExists(store.id, key),
      );
      // KVS-NOTFOUND-005: through a client, recordExists of a missing record is false.
      if (exists === true && !mayHit)
        violate('KVS-NOTFOUND-005', `${what} is true, but the store holds no such record`);
      if (exists === false && !mayMiss)
        violate('KVS-RECORD-010', `${what} is false, but the store holds the record`);
      break;
    }
    case 'deleteRecord': {
      const store = storeAt(spec.store);
      const key = keyOf(spec.key);
      const what = `deleteRecord(${JSON.stringify(key)})`;
      if (gone(store)) {
        await call(what, 'a throw or nothing', () => driver.deleteRecord(store.id, key));
        break;
      }
      const existed = model.history(store, key)?.current !== undefined;
      await must(existed ? 'KVS-RECORD-009' : 'KVS-NOTFOUND-007', what, 'no throw', () =>
        driver.deleteRecord(store.id, key),
      );
      model.deleteRecord(store, key, system.now());
      break;
    }
    case 'listKeys': {
      const store = storeAt(spec.store);
      const sentAt = system.now();
      const cursor = spec.exclusiveStartKey === null ? system.focus.key : spec.exclusiveStartKey;
      const prefix = spec.prefix === null ? system.focus.key : spec.prefix;
      const query: KeysQuery = {
        ...(spec.limit === undefined ? {} : { limit: spec.limit }),
        ...(cursor === undefined ? {} : { exclusiveStartKey: cursor }),
        ...(prefix === undefined ? {} : { prefix }),
      };
      const what = `listKeys(${JSON.stringify(query)})`;
      if (gone(store)) {
        await refused('KVS-NOTFOUND-004', what, 'the store was deleted', () =>
          driver.listKeys(store.id, query),
        );
        break;
      }
      const page = await must(
        cursor === undefined ? 'KVS-KEYS-001' : 'KVS-KEYS-006',
        what,
        'a page of keys',
        () => driver.listKeys(store.id, query),
      );
      if (!page) break;
      const deletedKeys = new Set(
        [...store.records].filter(([, history]) => history.wasDeleted).map(([key]) => key),
      );
      violations.push(
        ...judgeKeysPage(
          model.keyViews(store, sentAt),
          deletedKeys,
          query,
          page,
          model.settings.keysMaxLimit,
        ),
      );
      break;
    }
    case 'listStores': {
      // A library that lists every store at once (no paging options) is asked for just that.
      const whole = driver.unsupported?.storeListPaging !== undefined;
      const query = whole ? { desc: false, unnamed: true } : { desc: spec.desc, unnamed: spec.unnamed };
      const page = await must(
        'KVS-STATE-001',
        `listStores(${whole ? '' : JSON.stringify(query)})`,
        'the list',
        () => driver.listStores(whole ? {} : query),
      );
      if (page) violations.push(...judgeStoreList(model, query, page));
      break;
    }
    case 'downloadZip':
      break;
  }
  const [first, ...others] = violations;
  if (first) throw transcript.fail(step, first, others);
}
