// Client drivers with one deliberate bug each, written as a user would write driver modules: each
// extends the hand-written example client. The tests load them with `--driver <file>` and expect
// the rule named here to catch the bug through that driver only.
import { pathToFileURL } from 'node:url';
import { fileURLToPath } from 'node:url';

const EXAMPLE = pathToFileURL(
  fileURLToPath(new URL('../../examples/hand-written-driver.ts', import.meta.url)),
).href;

/** A faulty driver module: its file name, the rule that must catch it, and its source. */
export interface FaultyClientDriver {
  readonly name: string;
  readonly catchingRule: string;
  /** What the fault breaks: faults of one kind may be caught by each other's rules. */
  readonly breaks: 'iteration' | 'misses' | 'errors';
  readonly source: string;
}

const module = (name: string, body: string): string => `import { HandWrittenClient } from '${EXAMPLE}';
class Faulty extends HandWrittenClient {
  name = '${name}';
  info = { name: '${name}', package: undefined, version: undefined, transport: 'http' };
${body}
}
export default (context) => new Faulty(context);
`;

/** The faults, each caught by one rule through its driver. */
export const FAULTY_CLIENT_DRIVERS: readonly FaultyClientDriver[] = [
  {
    name: 'miss-as-null',
    catchingRule: 'KVS-NOTFOUND-005',
    breaks: 'misses',
    source: module(
      'miss-as-null',
      `  async getRecord(storeId, key) {
    const record = await super.getRecord(storeId, key);
    return record === undefined ? null : record;
  }`,
    ),
  },
  {
    name: 'iterator-drops-last-key',
    catchingRule: 'KVS-KEYS-001',
    breaks: 'iteration',
    source: module(
      'iterator-drops-last-key',
      `  async *iterateKeys(storeId, query) {
    const items = [];
    for await (const item of super.iterateKeys(storeId, query)) items.push(item);
    yield* items.slice(0, -1);
  }`,
    ),
  },
  {
    // A copy of the iterator that restarts from the first page when a page has no next cursor.
    name: 'iterator-restarts-on-missing-cursor',
    catchingRule: 'KVS-CLIENT-001',
    breaks: 'iteration',
    source: module(
      'iterator-restarts-on-missing-cursor',
      `  async *iterateKeys(storeId, query = {}) {
    let page = await this.listKeys(storeId, query);
    yield* page.items;
    while (page.items.length > 0) {
      page = await this.listKeys(storeId, { ...query, exclusiveStartKey: page.nextExclusiveStartKey ?? undefined });
      yield* page.items;
    }
  }`,
    ),
  },
  {
    name: 'undefined-on-403',
    catchingRule: 'KVS-CLIENT-003',
    breaks: 'errors',
    source: module(
      'undefined-on-403',
      `  async getRecord(storeId, key) {
    try {
      return await super.getRecord(storeId, key);
    } catch (error) {
      if (error.status === 403) return undefined;
      throw error;
    }
  }`,
    ),
  },
];
