import {
  judgeKeysPage,
  judgeStoreList,
  readZipEntries,
  type CallExpectation,
  type CheckedResponse,
  type KvsModel,
  type ModelRecord,
  type ModelStore,
  type ModelViolation,
  type OperationCall,
  type RuleId,
} from '../../../harness/index.ts';
import type { StoreCommandSpec } from '../../../generators/index.ts';
import { commandRefs } from './command-refs.ts';
import { createRuleOf } from './create-rule.ts';
import { judgeRecordRead, showRecord } from './judge-record-read.ts';
import type { TranscriptStep } from './sequence-transcript.ts';
import type { StatefulSystem } from './stateful-system.ts';

const CLIENT_ERRORS = Array.from({ length: 100 }, (_, i) => 400 + i);

interface StoreData {
  readonly id: string;
  readonly name?: string | null;
}

/** KVS-RECORD-002 (recordWriteBody): exactly `{}`, or any JSON object or no body. */
function writeBodyAllowed(body: Buffer, emptyObject: boolean): boolean {
  const text = body.toString('utf8').trim();
  if (emptyObject) return text === '{}';
  if (text === '') return true;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
  } catch {
    return false;
  }
}

/**
 * Runs one command of a sequence against the target and judges every answer by the model: the
 * status (by the rule the situation calls for), the body and headers, then the model takes the
 * change. A departure throws a contract failure naming the rule the answer breaks, with the
 * whole sequence as evidence.
 */
export async function runStoreCommand(
  spec: StoreCommandSpec,
  model: KvsModel,
  system: StatefulSystem,
  step: TranscriptStep,
): Promise<void> {
  const { api, transcript } = system;
  const violations: ModelViolation[] = [];
  const violate = (ruleId: RuleId, message: string): void => {
    violations.push({ ruleId, message });
  };
  const call = async (
    operationId: string,
    request: OperationCall,
    expect: Omit<CallExpectation, 'what'>,
  ): Promise<CheckedResponse> => {
    step.expected = `${step.expected ? `${step.expected}; ` : ''}${expect.status.length > 20 ? '4xx' : expect.status.join('/')}`;
    const response = await api.call(operationId, { ...request, expect: { ...expect, what: step.command } });
    step.exchanges.push(response.exchange);
    step.got = `${step.got ? `${step.got}; ` : ''}${response.status}`;
    return response;
  };
  const { storeAt, nameOf, keyOf } = commandRefs(model, system, step);
  const gone = (store: ModelStore): boolean => store.deleted;
  const storeData = (response: CheckedResponse): StoreData => response.json<{ data: StoreData }>().data;

  switch (spec.op) {
    case 'createStore': {
      const name = spec.name === null ? undefined : nameOf(spec.name);
      const outcome = model.create(name);
      const ruleId = createRuleOf(model, name, outcome);
      const response = await call(
        'keyValueStores_post',
        { query: { name } },
        { ruleId, status: [outcome.status] },
      );
      const data = storeData(response);
      if (outcome.kind === 'existing') {
        system.focus.store = outcome.store.handle;
        if (data.id !== outcome.store.id)
          violate(
            ruleId,
            `get-or-create of the taken name answered id ${data.id}, not s${outcome.store.handle} (${outcome.store.id})`,
          );
      } else {
        if (model.knowsId(data.id))
          violate(ruleId, `the new store got id ${data.id}, which an earlier store of the sequence had`);
        if ((data.name ?? null) !== (name ?? null))
          violate(
            ruleId,
            `the new store is named ${JSON.stringify(data.name ?? null)}, expected ${JSON.stringify(name ?? null)}`,
          );
        system.focus.store = model.addStore(data.id, name ?? null).handle;
      }
      break;
    }
    case 'getStore': {
      const store = storeAt(spec.store);
      const response = await call(
        'keyValueStore_get',
        { storeId: store.id },
        gone(store)
          ? { ruleId: 'KVS-NOTFOUND-004', status: [404] }
          : { ruleId: 'KVS-STATE-001', status: [200] },
      );
      if (!gone(store)) {
        const data = storeData(response);
        const ruleId: RuleId = store.renamed
          ? 'KVS-RECORD-013'
          : store.name === null
            ? 'KVS-NAME-004'
            : 'KVS-NAME-001';
        if (data.id !== store.id)
          violate('KVS-STATE-001', `store ${store.id} read by id answered id ${data.id}`);
        if ((data.name ?? null) !== store.name)
          violate(
            ruleId,
            `s${store.handle} reads with name ${JSON.stringify(data.name ?? null)}, its name is ${JSON.stringify(store.name)}`,
          );
      }
      break;
    }
    case 'getStoreByName': {
      const name = nameOf(spec.name);
      const holder = model.storeNamed(name);
      const previous = model.stores.find((store) => store.formerNames.includes(name));
      const missingRule: RuleId = model.stores.some((store) => store.deleted && store.name === name)
        ? 'KVS-NOTFOUND-004'
        : previous
          ? 'KVS-NAME-009'
          : 'KVS-NOTFOUND-002';
      const response = await call(
        'keyValueStore_get',
        { storeId: `~${name}` },
        holder ? { ruleId: 'KVS-NAME-008', status: [200] } : { ruleId: missingRule, status: [404] },
      );
      if (holder && storeData(response).id !== holder.id)
        violate(
          'KVS-NAME-008',
          `~${name} resolves to ${storeData(response).id}, not to s${holder.handle} (${holder.id}) which holds the name`,
        );
      break;
    }
    case 'renameStore': {
      const store = storeAt(spec.store);
      const name = spec.name === null ? null : nameOf(spec.name);
      const holder = name === null ? undefined : model.storeNamed(name);
      const outcome = model.rename(store, name);
      const expect: Omit<CallExpectation, 'what'> =
        outcome === 'missing-store'
          ? { ruleId: 'KVS-NOTFOUND-002', status: [404] }
          : outcome === 'taken'
            ? { ruleId: 'KVS-NAME-007', status: CLIENT_ERRORS }
            : { ruleId: 'KVS-RECORD-013', status: [200] };
      const response = await call(
        'keyValueStore_put',
        {
          storeId: store.id,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name }),
        },
        expect,
      );
      if (outcome === 'renamed' && (storeData(response).name ?? null) !== name)
        violate(
          'KVS-RECORD-013',
          `the rename answered name ${JSON.stringify(storeData(response).name ?? null)}, expected ${JSON.stringify(name)}`,
        );
      if (outcome === 'taken') step.expected += ` (s${holder?.handle ?? '?'} holds ${name})`;
      break;
    }
    case 'deleteStore': {
      const store = storeAt(spec.store);
      const outcome = model.deleteStore(store);
      await call(
        'keyValueStore_delete',
        { storeId: store.id },
        outcome === 'missing-store'
          ? { ruleId: 'KVS-NOTFOUND-002', status: [404] }
          : { ruleId: 'KVS-STATE-001', status: [204] },
      );
      break;
    }
    case 'putRecord': {
      const store = storeAt(spec.store);
      const key = keyOf(spec.key);
      const record: ModelRecord = { value: spec.record.value, contentType: spec.record.contentType };
      const existed = !gone(store) && model.history(store, key)?.current !== undefined;
      const post = spec.method === 'POST';
      const expect: Omit<CallExpectation, 'what'> = gone(store)
        ? { ruleId: 'KVS-NOTFOUND-002', status: [404] }
        : existed
          ? { ruleId: post ? 'KVS-RECORD-004' : 'KVS-RECORD-003', status: model.settings.overwriteStatuses }
          : { ruleId: post ? 'KVS-RECORD-004' : 'KVS-RECORD-002', status: [201] };
      const response = await call(
        post ? 'keyValueStore_record_post' : 'keyValueStore_record_put',
        {
          storeId: store.id,
          recordKey: key,
          headers: { 'content-type': record.contentType },
          body: record.value,
        },
        expect,
      );
      model.writeRecord(store, key, record, system.now());
      if (response.status === 201 && !writeBodyAllowed(response.body, model.settings.writeBodyEmptyObject))
        violate(
          post ? 'KVS-RECORD-004' : 'KVS-RECORD-002',
          `the write answered ${response.body.toString().slice(0, 80)}, expected ${model.settings.writeBodyEmptyObject ? '{}' : 'a JSON object or no body'}`,
        );
      break;
    }
    case 'getRecord': {
      const store = storeAt(spec.store);
      const key = keyOf(spec.key);
      const sentAt = system.now();
      const candidates = model.readRecord(store, key, sentAt, true);
      const history = model.history(store, key);
      const mayMiss = candidates?.includes(undefined) ?? true;
      const mayHit = candidates?.some((state) => state !== undefined) ?? false;
      // Under eventual only read-after-write for a new key rules out a 404 here: KVS-CONS-001's.
      const newKeyLag = !mayMiss && history?.candidates(sentAt, model.settings.windowMs).includes(undefined);
      const response = await call(
        'keyValueStore_record_get',
        { storeId: store.id, recordKey: key },
        candidates === undefined
          ? { ruleId: 'KVS-NOTFOUND-004', status: [404] }
          : {
              ruleId: newKeyLag
                ? 'KVS-CONS-001'
                : mayHit
                  ? 'KVS-STATE-002'
                  : history?.wasDeleted
                    ? 'KVS-RECORD-009'
                    : 'KVS-STATE-002',
              // The documented 302 to a pre-signed URL is followed by the API (getRecordRedirect allow);
              // what the followed answer holds is judged below.
              status: [
                ...(mayHit ? [200] : []),
                ...(mayMiss ? [404] : []),
                ...(system.api.followRecordRedirects ? [302] : []),
              ],
              ...(mayMiss && !mayHit && model.settings.recordMissErrorTypes
                ? { errorTypes: model.settings.recordMissErrorTypes }
                : {}),
            },
      );
      if (candidates && response.status === 200) {
        const got = { value: response.body, contentType: response.headers['content-type'] ?? '' };
        const violation = judgeRecordRead(key, candidates, history, got);
        if (violation) violations.push(violation);
      }
      break;
    }
    case 'headRecord': {
      const store = storeAt(spec.store);
      const key = keyOf(spec.key);
      const candidates = model.readRecord(store, key, system.now());
      const mayMiss = candidates?.includes(undefined) ?? true;
      const mayHit = candidates?.some((state) => state !== undefined) ?? false;
      await call(
        'keyValueStore_record_head',
        { storeId: store.id, recordKey: key },
        {
          ruleId: mayHit ? 'KVS-RECORD-010' : 'KVS-NOTFOUND-003',
          status: [...(mayHit ? [200] : []), ...(mayMiss ? [404] : [])],
        },
      );
      break;
    }
    case 'deleteRecord': {
      const store = storeAt(spec.store);
      const key = keyOf(spec.key);
      const existed = !gone(store) && model.history(store, key)?.current !== undefined;
      await call(
        'keyValueStore_record_delete',
        { storeId: store.id, recordKey: key },
        gone(store)
          ? { ruleId: 'KVS-NOTFOUND-002', status: [404] }
          : existed
            ? { ruleId: 'KVS-RECORD-009', status: [204] }
            : { ruleId: 'KVS-NOTFOUND-007', status: model.settings.deleteMissingStatuses },
      );
      model.deleteRecord(store, key, system.now());
      break;
    }
    case 'listKeys': {
      const store = storeAt(spec.store);
      const sentAt = system.now();
      const query = {
        limit: spec.limit,
        exclusiveStartKey: spec.exclusiveStartKey === null ? system.focus.key : spec.exclusiveStartKey,
        prefix: spec.prefix === null ? system.focus.key : spec.prefix,
      };
      const response = await call(
        'keyValueStore_keys_get',
        { storeId: store.id, query },
        gone(store)
          ? { ruleId: 'KVS-NOTFOUND-004', status: [404] }
          : { ruleId: 'KVS-STATE-002', status: [200] },
      );
      if (!gone(store)) {
        const deletedKeys = new Set(
          [...store.records].filter(([, history]) => history.wasDeleted).map(([key]) => key),
        );
        const page = response.json<{ data: Parameters<typeof judgeKeysPage>[3] }>().data;
        violations.push(
          ...judgeKeysPage(
            model.keyViews(store, sentAt),
            deletedKeys,
            query,
            page,
            model.settings.keysMaxLimit,
          ),
        );
      }
      break;
    }
    case 'listStores': {
      const response = await call(
        'keyValueStores_get',
        { query: { desc: spec.desc ? 1 : undefined, unnamed: spec.unnamed ? 1 : undefined } },
        { ruleId: 'KVS-STATE-001', status: [200] },
      );
      const page = response.json<{ data: Parameters<typeof judgeStoreList>[2] }>().data;
      violations.push(...judgeStoreList(model, spec, page));
      break;
    }
    case 'downloadZip': {
      const store = storeAt(spec.store);
      // zipDownload = false: the server does not offer it; nothing to judge.
      if (!model.settings.zipDownload) {
        step.got = 'not sent (zipDownload is false)';
        break;
      }
      const sentAt = system.now();
      const response = await call(
        'keyValueStore_records_get',
        { storeId: store.id },
        gone(store)
          ? { ruleId: 'KVS-NOTFOUND-004', status: [404] }
          : { ruleId: 'KVS-RECORD-011', status: [200] },
      );
      if (!gone(store)) {
        const entries = await readZipEntries(response.body).catch((error: unknown) => {
          violate('KVS-RECORD-011', `the download is not a readable zip: ${(error as Error).message}`);
          return new Map<string, Buffer>();
        });
        const views = model.keyViews(store, sentAt);
        const byKey = new Map(views.map((view) => [view.key, view]));
        for (const [key, bytes] of entries) {
          const states = byKey.get(key)?.states ?? [];
          if (!states.some((state) => state?.value.equals(bytes)))
            violate(
              'KVS-RECORD-011',
              `entry ${JSON.stringify(key)} holds ${bytes.length} bytes; the model allows ${states.length > 0 ? states.map(showRecord).join(' or ') : 'no such record'}`,
            );
        }
        for (const view of views)
          if (view.states.every((state) => state !== undefined) && !entries.has(view.key))
            violate('KVS-RECORD-011', `record ${JSON.stringify(view.key)} has no entry in the download`);
      }
      break;
    }
  }
  const [first, ...others] = violations;
  if (first) throw transcript.fail(step, first, others);
}
