import type { StoreCommandSpec } from '../../../generators/index.ts';

const text = (value: unknown): string => JSON.stringify(value);
const nameRef = (name: number | null): string => (name === null ? 'null' : `n${name}`);

/**
 * A command as the counterexample and the step list print it: the operation, the store (`sN`, the
 * N-th store made in the sequence, taken modulo the stores made so far), the name (`nN`, the
 * sequence's N-th name) and the key, value and query.
 */
export function describeStoreCommand(spec: StoreCommandSpec): string {
  switch (spec.op) {
    case 'createStore':
      return `createStore(${spec.name === null ? 'unnamed' : nameRef(spec.name)})`;
    case 'getStore':
    case 'deleteStore':
    case 'downloadZip':
      return `${spec.op}(s${spec.store})`;
    case 'getStoreByName':
      return `getStoreByName(${nameRef(spec.name)})`;
    case 'renameStore':
      return `renameStore(s${spec.store}, ${nameRef(spec.name)})`;
    case 'putRecord': {
      const { value, contentType } = spec.record;
      const shown =
        value.length <= 24 && /^[\x20-\x7e]*$/.test(value.toString('latin1'))
          ? text(value.toString())
          : `${value.length} bytes`;
      return `putRecord(s${spec.store}, ${text(spec.key)}, ${spec.method} ${shown} as ${contentType})`;
    }
    case 'getRecord':
    case 'headRecord':
    case 'deleteRecord':
      return `${spec.op}(s${spec.store}, ${text(spec.key)})`;
    case 'listKeys':
      return `listKeys(s${spec.store}, ${text({ limit: spec.limit, exclusiveStartKey: spec.exclusiveStartKey, prefix: spec.prefix })})`;
    case 'listStores':
      return `listStores(${text({ desc: spec.desc, unnamed: spec.unnamed })})`;
  }
}
