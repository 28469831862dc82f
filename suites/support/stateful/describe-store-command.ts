import type { KeyRef, NameRef, StoreCommandSpec, StoreRef } from '../../../generators/index.ts';

const text = (value: unknown): string => JSON.stringify(value);
const storeRef = (store: StoreRef): string =>
  store === 'focus' ? 's=' : store === 'other' ? 's+' : `s${store}`;
const keyRef = (key: KeyRef): string => (key === null ? 'key=' : text(key));
const nameRef = (name: NameRef | null): string =>
  name === null ? 'null' : name === 'focus' ? 'name(s=)' : name === 'other' ? 'name(s+)' : `n${name}`;

/**
 * A command as the counterexample and the step list print it: the operation, the store (`sN`, the
 * N-th store made in the sequence, taken modulo the stores made so far; `s=` the store of the
 * previous record command, `s+` the one after it), the name (`nN`, the sequence's N-th name) and
 * the key (`key=`: the key of the previous record command), value and query. The step list shows
 * what each reference resolved to.
 */
export function describeStoreCommand(spec: StoreCommandSpec): string {
  switch (spec.op) {
    case 'createStore':
      return `createStore(${spec.name === null ? 'unnamed' : nameRef(spec.name)})`;
    case 'getStore':
    case 'deleteStore':
    case 'downloadZip':
      return `${spec.op}(${storeRef(spec.store)})`;
    case 'getStoreByName':
      return `getStoreByName(${nameRef(spec.name)})`;
    case 'renameStore':
      return `renameStore(${storeRef(spec.store)}, ${nameRef(spec.name)})`;
    case 'putRecord': {
      const { value, contentType } = spec.record;
      const shown =
        value.length <= 24 && /^[\x20-\x7e]*$/.test(value.toString('latin1'))
          ? text(value.toString())
          : `${value.length} bytes`;
      return `putRecord(${storeRef(spec.store)}, ${keyRef(spec.key)}, ${spec.method} ${shown} as ${contentType})`;
    }
    case 'getRecord':
    case 'headRecord':
    case 'deleteRecord':
      return `${spec.op}(${storeRef(spec.store)}, ${keyRef(spec.key)})`;
    case 'listKeys':
      return `listKeys(${storeRef(spec.store)}, ${text({ limit: spec.limit, exclusiveStartKey: spec.exclusiveStartKey === null ? 'key=' : spec.exclusiveStartKey, prefix: spec.prefix === null ? 'key=' : spec.prefix })})`;
    case 'listStores':
      return `listStores(${text({ desc: spec.desc, unnamed: spec.unnamed })})`;
  }
}
